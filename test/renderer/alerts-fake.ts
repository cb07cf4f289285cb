// The alert half of the in-memory SpendbarApi: validates with shared/alerts.ts like the core does, keeps webhook URLs
// write-only (masked in the view, "" keeps the stored one), replays balance-below and spend-above rules over the fake's
// history for previews, and keeps a history with snooze, acknowledge and live 'alert' events.
import type { AlertPreview, AlertsInput, AlertsView, SnoozeTarget, SnoozeUntil, SpendbarEvent } from '../../shared/api.ts';
import {
  ALL_ACCOUNTS,
  DEFAULT_MARGIN_PERCENT,
  quietHoursSchema,
  ruleToConfig,
  validateChannels,
  validateRules,
  type AlertChannel,
  type AlertEvent,
  type AlertHistoryFilter,
  type AlertRule,
  type Delivery,
  type QuietHours,
} from '../../shared/alerts.ts';
import type { Account, SeriesPoint, UsageBucket } from '../../shared/domain.ts';
import { formatIssues } from '../../shared/schemas.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface FakeAlertsDeps {
  now: number;
  accounts: () => Account[];
  balances: Map<string, { currency: string; points: SeriesPoint[] }[]>;
  /** Hourly usage with the account each bucket belongs to. */
  usage: () => (UsageBucket & { account: string })[];
  emit: (event: SpendbarEvent) => void;
}

/** An error like the HTTP transport's ApiError: a message and the offending field. */
const inputError = (message: string, field: string) => Object.assign(new Error(message), { field, status: 400 });

export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…${(u.pathname + u.search).slice(-4)}`;
  } catch {
    return '…';
  }
}

export class FakeAlerts {
  configRules: Record<string, unknown>[] = [{ id: 'failing', type: 'provider-failing', account: ALL_ACCOUNTS, minutes: 30, enabled: true, margin: DEFAULT_MARGIN_PERCENT }];
  settingsRules: Record<string, unknown>[] = [
    { id: 'or-low', type: 'balance-below', name: 'Top up OpenRouter', account: 'or', amount: 80, currency: 'USD', enabled: true, margin: DEFAULT_MARGIN_PERCENT },
    { id: 'spend-day', type: 'spend-above', account: ALL_ACCOUNTS, window: 'today', amount: 1, currency: 'USD', enabled: true, margin: DEFAULT_MARGIN_PERCENT },
  ];
  /** With their real URLs; the view masks them. */
  channels: AlertChannel[] = [
    { id: 'popup', type: 'popup' },
    { id: 'slack', type: 'webhook', format: 'slack', name: '#billing', url: 'https://hooks.slack.com/services/T0001/B0002/s3cretToken9f2c' },
  ];
  quietHours: QuietHours | null = null;
  events: AlertEvent[] = [];
  private readonly deps: FakeAlertsDeps;

  constructor(deps: FakeAlertsDeps) {
    this.deps = deps;
  }

  /** A plausible history: acknowledged, recovered, active, and one older than 30 days. */
  seedHistory(): void {
    const now = this.deps.now;
    this.add({ time: now - 40 * DAY, ruleId: 'or-low', ruleType: 'balance-below', accountId: 'or', title: 'OpenRouter personal balance is $79.10', value: 79_100_000, threshold: 80_000_000, money: 'USD', acknowledgedAt: now - 39 * DAY });
    this.add({ time: now - 12 * DAY, ruleId: 'failing', ruleType: 'provider-failing', accountId: 'ds', title: 'DeepSeek has been failing for 35 min', value: 35, threshold: 30, severity: 'critical' });
    this.add({ time: now - 12 * DAY + 40 * 60_000, kind: 'recovered', ruleId: 'failing', ruleType: 'provider-failing', accountId: 'ds', title: 'DeepSeek answers again', value: 0, threshold: 30 });
    this.add({ time: now - 3 * DAY, ruleId: 'or-low', ruleType: 'balance-below', accountId: 'or', title: 'OpenRouter personal balance is $78.40', value: 78_400_000, threshold: 80_000_000, money: 'USD', acknowledgedAt: now - 3 * DAY + HOUR });
    this.add({ time: now - 3 * HOUR, ruleId: 'failing', ruleType: 'provider-failing', accountId: 'gw', title: 'smai gateway has been failing for 3 h', value: 180, threshold: 30, severity: 'critical' });
    this.add({ time: now - HOUR, ruleId: 'spend-day', ruleType: 'spend-above', accountId: 'or', title: 'OpenRouter personal spent $1.20 today', value: 1_200_000, threshold: 1_000_000, money: 'USD', window: '2025-01-01' });
  }

  /** Adds an event as the core would record it; `push` also sends it live, as a poll does. */
  add(e: { time: number; ruleId: string; ruleType: AlertEvent['ruleType']; accountId: string; title: string; value: number; threshold: number; kind?: AlertEvent['kind']; severity?: AlertEvent['severity']; money?: string; acknowledgedAt?: number; window?: string }, push = false): AlertEvent {
    const event: AlertEvent = {
      id: (this.events.at(-1)?.id ?? 0) + 1,
      time: e.time,
      kind: e.kind ?? 'fired',
      ruleId: e.ruleId,
      ruleType: e.ruleType,
      subject: e.accountId,
      accountId: e.accountId,
      window: e.window ?? '',
      dedupeKey: `${e.ruleId}|${e.accountId}|${e.window ?? ''}`,
      severity: e.severity ?? (e.kind === 'recovered' ? 'info' : 'warning'),
      title: e.title,
      body: `${e.title}. Threshold: ${e.threshold}.`,
      value: e.value,
      threshold: e.threshold,
      unit: e.money ? { kind: 'money', currency: e.money } : { kind: e.ruleType === 'provider-failing' ? 'minutes' : 'count' },
      acknowledgedAt: e.acknowledgedAt ?? null,
      snoozedUntil: null,
      popup: 'sent',
      deliveries: [{ channelId: 'popup', ok: true, attempts: 1, message: 'shown', at: e.time }],
    };
    this.events.push(event);
    if (push) this.deps.emit({ type: 'alert', alert: structuredClone(event) });
    return event;
  }

  /** Fired, not acknowledged, not snoozed (a snooze re-arms), and not followed by a recovery. */
  active(): AlertEvent[] {
    return this.sorted(this.events).filter(
      (e) => e.kind === 'fired' && e.acknowledgedAt === null && e.snoozedUntil === null && !this.events.some((r) => r.kind === 'recovered' && r.dedupeKey === e.dedupeKey && r.time > e.time),
    );
  }

  view(): AlertsView {
    return structuredClone({
      rules: [...this.configRules.map((rule) => ({ rule, source: 'config' as const })), ...this.settingsRules.map((rule) => ({ rule, source: 'settings' as const }))] as AlertsView['rules'],
      channels: this.channels.map((c) => (c.type === 'webhook' ? { ...c, url: maskUrl(c.url) } : c)),
      quietHours: this.quietHours,
      configChannelIds: [],
      errors: [],
      active: this.active(),
    });
  }

  private withStoredUrl(c: unknown): unknown {
    const rec = c as Record<string, unknown>;
    const stored = this.channels.find((s) => s.id === rec?.id);
    if (rec?.type === 'webhook' && stored?.type === 'webhook' && (!rec.url || rec.url === maskUrl(stored.url))) return { ...rec, url: stored.url };
    return c;
  }

  private accountIds(): string[] {
    return this.deps.accounts().map((a) => a.id);
  }

  save(input: AlertsInput): AlertsView {
    if (!Array.isArray(input.rules)) throw inputError('rules must be a list.', 'rules');
    let channels = this.channels;
    if (input.channels !== undefined) {
      if (!Array.isArray(input.channels)) throw inputError('channels must be a list.', 'channels');
      const v = validateChannels(input.channels.map((c) => this.withStoredUrl(c)));
      if (v.errors.length) throw inputError(v.errors.map((e) => e.message).join('\n'), 'channels');
      channels = v.channels;
    }
    const rules = validateRules(input.rules, { accountIds: this.accountIds(), channelIds: channels.map((c) => c.id) });
    if (rules.errors.length) throw inputError(rules.errors.map((e) => e.message).join('\n'), 'rules');
    let quiet = this.quietHours;
    if (input.quietHours !== undefined) {
      if (input.quietHours === null) quiet = null;
      else {
        const q = quietHoursSchema.safeParse(input.quietHours);
        if (!q.success) throw inputError(`Quiet hours: ${formatIssues(q.error).replace(/\n/g, '; ')}`, 'quietHours');
        quiet = q.data;
      }
    }
    this.channels = channels;
    this.settingsRules = rules.rules.map(ruleToConfig);
    this.quietHours = quiet;
    return this.view();
  }

  preview(raw: unknown, days: number): AlertPreview {
    const v = validateRules([raw], { accountIds: this.accountIds() });
    const rule = v.rules[0];
    if (!rule) throw inputError(v.errors[0]?.message ?? 'Invalid rule.', 'rule');
    const from = this.deps.now - days * DAY;
    const times = this.replay(rule, from).filter((t) => t >= from).sort((a, b) => a - b);
    return { fires: times.length, times, days };
  }

  /** Only the two rule types the component tests preview are replayed; the others never fire here. */
  private replay(rule: AlertRule, from: number): number[] {
    const accounts = rule.account === undefined || rule.account === ALL_ACCOUNTS ? this.accountIds() : [rule.account];
    if (rule.type === 'balance-below') {
      const times: number[] = [];
      for (const id of accounts) {
        const series = this.deps.balances.get(id)?.find((b) => b.currency === rule.amount.currency);
        let armed = true;
        for (const p of series?.points ?? []) {
          if (armed && p.v < rule.amount.micros) {
            times.push(p.t);
            armed = false;
          } else if (!armed && p.v >= rule.amount.micros * (1 + rule.margin / 100)) armed = true;
        }
      }
      return times;
    }
    if (rule.type === 'spend-above' && rule.window === 'today') {
      const perDay = new Map<string, number>();
      for (const b of this.deps.usage()) {
        if (!accounts.includes(b.account) || b.start < from || b.cost?.currency !== rule.amount.currency) continue;
        const key = `${b.account}|${Math.floor(b.start / DAY)}`;
        perDay.set(key, (perDay.get(key) ?? 0) + b.cost.micros);
      }
      return [...perDay].filter(([, micros]) => micros > rule.amount.micros).map(([key]) => Number(key.split('|')[1]) * DAY + DAY - 1);
    }
    return [];
  }

  history(f: AlertHistoryFilter = {}): AlertEvent[] {
    const hits = this.events.filter(
      (e) =>
        (f.from === undefined || e.time >= f.from) &&
        (f.to === undefined || e.time < f.to) &&
        (f.ruleId === undefined || e.ruleId === f.ruleId) &&
        (f.accountId === undefined || e.accountId === f.accountId) &&
        (f.kind === undefined || e.kind === f.kind) &&
        (f.acknowledged === undefined || (e.acknowledgedAt !== null) === f.acknowledged),
    );
    return structuredClone(this.sorted(hits).slice(0, f.limit ?? 500));
  }

  snooze(target: SnoozeTarget, until: SnoozeUntil): { until: number } {
    const end = until === '1h' ? this.deps.now + HOUR : until === 'tomorrow' ? (Math.floor(this.deps.now / DAY) + 1) * DAY : until;
    if ('eventId' in target) {
      const e = this.events.find((x) => x.id === target.eventId);
      if (!e) throw inputError(`No alert ${target.eventId}.`, 'eventId');
      e.snoozedUntil = end;
    }
    return { until: end };
  }

  acknowledge(eventId: number): boolean {
    const e = this.events.find((x) => x.id === eventId);
    if (!e) return false;
    e.acknowledgedAt = this.deps.now;
    return true;
  }

  test(channel: string | AlertChannel): Delivery {
    let c: AlertChannel | undefined;
    if (typeof channel === 'string') c = this.channels.find((x) => x.id === channel);
    else {
      const v = validateChannels([this.withStoredUrl(channel)]);
      if (!v.channels[0]) throw inputError(v.errors[0]?.message ?? 'Invalid channel.', 'channel');
      c = v.channels[0];
    }
    const at = this.deps.now;
    if (!c) return { channelId: String(channel), ok: false, attempts: 0, message: `No alert channel "${String(channel)}".`, at };
    if (c.type === 'popup') return { channelId: c.id, ok: true, attempts: 1, message: 'shown', at };
    const host = new URL(c.url).host;
    if (c.url.includes('fail')) return { channelId: c.id, ok: false, attempts: 1, message: `${host} answered HTTP 404: check the webhook URL`, at };
    return { channelId: c.id, ok: true, attempts: 1, message: `HTTP 200 from ${host}`, at };
  }

  private sorted(events: AlertEvent[]): AlertEvent[] {
    return [...events].sort((a, b) => b.time - a.time || b.id - a.id);
  }
}

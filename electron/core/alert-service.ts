// Connects the alert engine to the core: rules from the config file (read-only) and settings (editable),
// channels whose webhook URLs live in the secret store, and the alert part of the SpendbarApi.
import type { AlertPreview, AlertsInput, AlertsView, SnoozeTarget, SnoozeUntil } from '../../shared/api.ts';
import type { AlertChannel, AlertEvent, AlertRule, QuietHours } from '../../shared/alerts.ts';
import { quietHoursSchema, ruleToConfig, validateChannels, validateRules } from '../../shared/alerts.ts';
import type { AccountStatus, Snapshot } from '../../shared/domain.ts';
import { formatIssues } from '../../shared/schemas.ts';
import { toMicros, type Money } from '../../shared/money.ts';
import { AccountInputError, type AccountBook } from './accounts.ts';
import { AlertEngine, historyFromStore, previewRule, type MeterHistory } from './alerts/index.ts';
import { accountCurrencies, type MeterView } from './alerts/check.ts';
import type { HttpClient } from './http.ts';
import type { Notifier, SecretStore, SettingsStore } from './ports.ts';
import type { SnapshotStore } from './store/index.ts';
import { MAX_ALERT_CHANNELS, MAX_ALERT_RULES } from './limits.ts';
import { log } from './log.ts';

export interface AlertConfig {
  rules?: unknown[];
  channels?: unknown[];
  quietHours?: unknown;
}

export interface AlertServiceOptions {
  store: SnapshotStore;
  book: AccountBook;
  settings: SettingsStore;
  secrets: SecretStore;
  notifier?: Notifier;
  config?: AlertConfig;
  timeZone: () => string;
  statuses: () => AccountStatus[];
  /** One account's status, so evaluating after a poll reads only that account. */
  status?: (accountId: string) => AccountStatus | null;
  onAlert: (event: AlertEvent) => void;
  now?: () => number;
  http?: HttpClient;
  /** The metering proxy's figures, for the rate-limit rules. */
  meter?: MeterView;
  /** The metering proxy's recorded rows, for the rate-limit rules' preview. */
  meterHistory?: MeterHistory;
  /** The core's redaction of outgoing text (alert texts, delivery messages). */
  redact?: (text: string) => string;
}

const urlRef = (channelId: string) => `alert-channel.${channelId}.url`;

export class AlertService {
  private readonly opts: AlertServiceOptions;
  private readonly engine: AlertEngine;
  private errors: string[] = [];
  private configRules: AlertRule[] = [];
  private settingsRules: AlertRule[] = [];
  private channels: AlertChannel[] = [];
  private quietHours: QuietHours | null = null;

  constructor(opts: AlertServiceOptions) {
    this.opts = opts;
    this.engine = new AlertEngine({
      db: opts.store.db,
      history: historyFromStore(opts.store),
      notifier: opts.notifier,
      now: opts.now,
      timeZone: opts.timeZone,
      onAlert: opts.onAlert,
      http: opts.http,
      label: (id) => opts.book.get(id)?.label ?? id,
      budgets: () => this.budgets(),
      statuses: opts.statuses,
      meter: opts.meter,
      ...(opts.redact ? { redact: opts.redact } : {}),
    });
    this.reload();
  }

  /** Problems in stored or config-file alert settings (also printed by the CLI at start). */
  get problems(): string[] {
    return [...this.errors];
  }

  /** The currencies each polled account reports, so a rule can only name one of its account's own. */
  private accountCurrencies(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const s of this.opts.statuses()) {
      if (!s.lastSuccess) continue;
      const list = [...accountCurrencies({ accountId: s.accountId, latest: s.latest, lastSuccess: s.lastSuccess, stale: s.stale })];
      if (list.length > 0) out[s.accountId] = list.sort();
    }
    return out;
  }

  /** The monthly budgets from settings, in micro-units. */
  private budgets(): Money[] {
    return (this.opts.settings.get().budgets ?? []).map((b) => ({ micros: toMicros(b.amount), currency: b.currency }));
  }

  /** Re-reads rules and channels (after settings or accounts change). Bad items are reported and skipped. */
  reload(): void {
    const errors: string[] = [];
    const settings = this.opts.settings.get();
    const config = this.opts.config ?? {};
    const channelsRaw = [...(config.channels ?? []), ...this.storedChannelsWithUrls(settings.alertChannels ?? [])];
    const ch = validateChannels(channelsRaw.length ? channelsRaw.slice(0, MAX_ALERT_CHANNELS) : [{ id: 'popup', type: 'popup' }]);
    if (channelsRaw.length > MAX_ALERT_CHANNELS) errors.push(`Only the first ${MAX_ALERT_CHANNELS} alert channels are used; remove the others.`);
    errors.push(...ch.errors.map((e) => e.message));
    const ctx = { accountIds: this.opts.book.list().map((a) => a.id), channelIds: ch.channels.map((c) => c.id) };
    const configRules = config.rules ?? [];
    const fromConfig = validateRules(configRules.slice(0, MAX_ALERT_RULES), ctx);
    errors.push(...fromConfig.errors.map((e) => `Config file: ${e.message}`));
    const room = Math.max(0, MAX_ALERT_RULES - Math.min(configRules.length, MAX_ALERT_RULES));
    const fromSettings = validateRules(settings.alerts.slice(0, room), ctx);
    if (configRules.length + settings.alerts.length > MAX_ALERT_RULES) errors.push(`Only the first ${MAX_ALERT_RULES} alert rules are used; remove the others.`);
    errors.push(...fromSettings.errors.map((e) => `Settings: ${e.message}`));
    const quietRaw = settings.quietHours ?? config.quietHours;
    let quiet: QuietHours | null = null;
    if (quietRaw !== undefined && quietRaw !== null) {
      const q = quietHoursSchema.safeParse(quietRaw);
      if (q.success) quiet = q.data;
      else errors.push(`Quiet hours: ${formatIssues(q.error).replace(/\n/g, '; ')}`);
    }
    this.configRules = fromConfig.rules;
    this.settingsRules = fromSettings.rules;
    this.channels = ch.channels;
    this.quietHours = quiet;
    this.errors = errors;
    this.engine.setRules([...fromConfig.rules, ...fromSettings.rules]);
    this.engine.setChannels(ch.channels);
    this.engine.setQuietHours(quiet);
  }

  onSnapshot(snapshot: Snapshot): void {
    try {
      const status = this.opts.status;
      this.engine.onSnapshot(snapshot, status ? { one: status, all: this.opts.statuses } : this.opts.statuses());
    } catch (err) {
      log.error('spendbar: alert evaluation failed:', err);
    }
  }

  /** Metered requests of these accounts were stored: the rate-limit rules look again. */
  onMetered(accountIds: readonly string[]): void {
    try {
      this.engine.onMetered(accountIds, this.opts.statuses());
    } catch (err) {
      log.error('spendbar: alert evaluation failed:', err instanceof Error ? err.message : err);
    }
  }

  view(): AlertsView {
    return {
      rules: [
        ...this.configRules.map((r) => ({ rule: ruleToConfig(r) as AlertsView['rules'][number]['rule'], source: 'config' as const })),
        ...this.settingsRules.map((r) => ({ rule: ruleToConfig(r) as AlertsView['rules'][number]['rule'], source: 'settings' as const })),
      ],
      channels: this.channels.map(maskChannel),
      configChannelIds: this.configChannelIds(),
      quietHours: this.quietHours,
      errors: this.problems,
      active: this.engine.active(),
    };
  }

  /** Validates the whole input first; nothing is saved unless every item is valid. */
  save(input: AlertsInput): AlertsView {
    if (!Array.isArray(input.rules)) throw new AccountInputError('rules must be a list.', 'rules');
    const configCount = (this.opts.config?.rules ?? []).length;
    if (input.rules.length + configCount > MAX_ALERT_RULES) {
      throw new AccountInputError(`Spendbar keeps at most ${MAX_ALERT_RULES} alert rules (the config file has ${configCount}); remove some before adding more.`, 'rules');
    }
    if (Array.isArray(input.channels) && input.channels.length > MAX_ALERT_CHANNELS) {
      throw new AccountInputError(`Spendbar keeps at most ${MAX_ALERT_CHANNELS} alert channels.`, 'channels');
    }
    const current = this.opts.settings.get();
    const storedChannels = (current.alertChannels ?? []) as Record<string, unknown>[];
    let channelsForSettings = storedChannels;
    const newUrls = new Map<string, string>();
    let channelIds = this.channels.map((c) => c.id);
    if (input.channels !== undefined) {
      if (!Array.isArray(input.channels)) throw new AccountInputError('channels must be a list.', 'channels');
      // Config-file channels are read-only: if a UI sends them back, they are not copied into settings.
      const fromConfig = new Set(this.configChannelIds());
      const own = input.channels.filter((c) => !fromConfig.has(String((c as { id?: unknown })?.id)));
      // An edited webhook with an empty URL keeps the stored one (URLs are write-only, like keys).
      const v = validateChannels(own.map((c) => this.withStoredUrl(c)));
      if (v.errors.length) throw new AccountInputError(v.errors.map((e) => e.message).join('\n'), 'channels');
      channelIds = [...fromConfig, ...v.channels.map((c) => c.id)];
      channelsForSettings = v.channels.map((c) => {
        if (c.type !== 'webhook') return { ...c };
        newUrls.set(c.id, c.url);
        return { id: c.id, type: c.type, format: c.format, ...(c.name ? { name: c.name } : {}) };
      });
    }
    const rules = validateRules(input.rules, { accountIds: this.opts.book.list().map((a) => a.id), channelIds, accountCurrencies: this.accountCurrencies() });
    if (rules.errors.length) throw new AccountInputError(rules.errors.map((e) => e.message).join('\n'), 'rules');
    let quietHours: unknown = current.quietHours;
    if (input.quietHours !== undefined) {
      if (input.quietHours === null) quietHours = undefined;
      else {
        const q = quietHoursSchema.safeParse(input.quietHours);
        if (!q.success) throw new AccountInputError(`Quiet hours: ${formatIssues(q.error).replace(/\n/g, '; ')}`, 'quietHours');
        quietHours = q.data;
      }
    }
    for (const [id, url] of newUrls) this.opts.secrets.set(urlRef(id), url);
    for (const old of storedChannels) {
      if (typeof old.id === 'string' && !channelIds.includes(old.id)) this.opts.secrets.delete(urlRef(old.id));
    }
    const next = { ...current, alerts: rules.rules.map(ruleToConfig), alertChannels: channelsForSettings };
    if (quietHours === undefined) delete next.quietHours;
    else next.quietHours = quietHours;
    this.opts.settings.set(next);
    this.reload();
    return this.view();
  }

  preview(rule: unknown, days = 30): AlertPreview {
    const accountIds = this.opts.book.list().map((a) => a.id);
    const v = validateRules([rule], { accountIds });
    const valid = v.rules[0];
    if (!valid) throw new AccountInputError(v.errors[0]?.message ?? 'Invalid rule.', 'rule');
    if (!Number.isInteger(days) || days < 1 || days > 365) throw new AccountInputError('Preview days must be a whole number from 1 to 365.', 'days');
    const r = previewRule(valid, historyFromStore(this.opts.store), {
      days,
      now: (this.opts.now ?? Date.now)(),
      timeZone: this.opts.timeZone(),
      accountIds,
      label: (id) => this.opts.book.get(id)?.label ?? id,
      budgets: this.budgets(),
      ...(this.opts.meterHistory ? { meter: this.opts.meterHistory } : {}),
    });
    return { fires: r.fires, times: r.times, days, ...(r.note ? { note: r.note } : {}) };
  }

  history(filter: Parameters<AlertEngine['history']>[0]): AlertEvent[] {
    return this.engine.history(filter);
  }

  snooze(target: SnoozeTarget, until: SnoozeUntil): { until: number } {
    return { until: this.engine.snooze(target, until) };
  }

  acknowledge(eventId: number): boolean {
    return this.engine.acknowledge(eventId);
  }

  testChannel(channel: string | AlertChannel): ReturnType<AlertEngine['sendTest']> {
    if (typeof channel !== 'string') {
      const v = validateChannels([this.withStoredUrl(channel)]);
      if (!v.channels[0]) throw new AccountInputError(v.errors[0]?.message ?? 'Invalid channel.', 'channel');
      return this.engine.sendTest(v.channels[0]);
    }
    if (!this.channels.some((c) => c.id === channel)) throw new AccountInputError(`No alert channel '${channel}'.`, 'channel');
    return this.engine.sendTest(channel);
  }

  /** Webhook URLs, so any text leaving the process can be scrubbed of them. */
  secretUrls(): string[] {
    return this.channels.flatMap((c) => (c.type === 'webhook' ? [c.url] : []));
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  private configChannelIds(): string[] {
    return (this.opts.config?.channels ?? []).flatMap((c) => {
      const id = (c as { id?: unknown })?.id;
      return typeof id === 'string' ? [id] : [];
    });
  }

  private storedChannelsWithUrls(stored: unknown[]): unknown[] {
    return stored.map((c) => {
      const rec = c as Record<string, unknown>;
      if (rec?.type !== 'webhook' || typeof rec.id !== 'string') return c;
      return { ...rec, url: this.opts.secrets.get(urlRef(rec.id)) ?? '' };
    });
  }

  private withStoredUrl(c: unknown): unknown {
    const rec = c as Record<string, unknown>;
    if (rec?.type === 'webhook' && typeof rec.id === 'string' && (!rec.url || rec.url === maskUrl(this.opts.secrets.get(urlRef(rec.id)) ?? ''))) {
      const stored = this.opts.secrets.get(urlRef(rec.id));
      if (stored) return { ...rec, url: stored };
    }
    return c;
  }
}

/** Webhook URLs carry their secret in the path: show the host and the last characters only. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…${(u.pathname + u.search).slice(-4)}`;
  } catch {
    return '…';
  }
}

function maskChannel(c: AlertChannel): AlertChannel {
  return c.type === 'webhook' ? { ...c, url: maskUrl(c.url) } : c;
}

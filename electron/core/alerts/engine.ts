// The alert engine: after each snapshot it measures every rule, steps each check's persisted state (fire once per
// breach, hysteresis, top-up), records history, and hands alerts to the channels in the background.
import type { DatabaseSync } from 'node:sqlite';
import type { AlertChannel, AlertEvent, AlertHistoryFilter, AlertRule, Delivery, QuietHours, Severity } from '../../../shared/alerts.ts';
import { DEFAULT_CHANNELS } from '../../../shared/alerts.ts';
import type { AccountStatus, Snapshot } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';
import { fetchHttpClient, type HttpClient } from '../http.ts';
import type { Notifier } from '../ports.ts';
import { HOUR, inQuietHours, startOfTomorrow } from './calendar.ts';
import type { AccountView, Check, EvalContext, MeterView } from './check.ts';
import { DEFAULT_RETRY, sendPopup, sendWebhook, type Outgoing, type RetryPolicy } from './delivery.ts';
import type { AlertHistory } from './history.ts';
import { step } from './machine.ts';
import { measure, ruleTouches } from './measure.ts';
import { AlertRepo } from './repo.ts';
import { ensureAlertTables } from './tables.ts';

export interface AlertEngineOptions {
  /** The store's connection: alert tables live in spendbar.db beside the snapshots. */
  db: DatabaseSync;
  history: AlertHistory;
  rules?: AlertRule[];
  /** Popup only when absent. */
  channels?: AlertChannel[];
  quietHours?: QuietHours | null;
  notifier?: Notifier;
  now?: () => number;
  /** IANA zone for calendar windows, quiet hours and "until tomorrow"; read on every use when a function. */
  timeZone?: string | (() => string);
  /** Every alert (and recovery) as it is recorded, for the UIs and the tray. */
  onAlert?: (event: AlertEvent) => void;
  http?: HttpClient;
  retry?: Partial<RetryPolicy>;
  /** Account labels for alert titles; the id when absent. */
  label?: (accountId: string) => string;
  /** The monthly budgets per currency, read on every evaluation (the budget-pace rule). */
  budgets?: () => Money[];
  /** Lets the periodic tick notice providers that went stale without a new snapshot. */
  statuses?: () => AccountStatus[];
  /** How often the engine wakes for quiet-hours summaries and staleness (default 60 s; 0 = never, tests call tick()). */
  tickMs?: number;
  /** The metering proxy's figures, for the rate-limit rules. */
  meter?: MeterView;
}

export type SnoozeTarget = { eventId: number } | { ruleId: string; subject?: string };
export type SnoozeUntil = number | '1h' | 'tomorrow';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
const ACTIVE_FOR_MS = 7 * 24 * HOUR;

export class AlertEngine {
  private readonly repo: AlertRepo;
  private readonly opts: AlertEngineOptions;
  private rules: AlertRule[];
  private channels: AlertChannel[];
  private quietHours: QuietHours | null;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastPrune = 0;

  constructor(opts: AlertEngineOptions) {
    this.opts = opts;
    ensureAlertTables(opts.db);
    this.repo = new AlertRepo(opts.db);
    this.rules = opts.rules ?? [];
    this.channels = opts.channels ?? DEFAULT_CHANNELS;
    this.quietHours = opts.quietHours ?? null;
    const tickMs = opts.tickMs ?? 60_000;
    if (tickMs > 0) {
      this.timer = setInterval(() => this.tick(), tickMs);
      this.timer.unref?.();
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private zone(): string {
    const z = this.opts.timeZone;
    return (typeof z === 'function' ? z() : z) ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  }

  setRules(rules: AlertRule[]): void {
    this.rules = rules;
  }

  setChannels(channels: AlertChannel[]): void {
    this.channels = channels;
  }

  setQuietHours(q: QuietHours | null): void {
    this.quietHours = q;
  }

  /** Evaluates the rules that involve the snapshot's account. Returns the alerts it recorded. */
  onSnapshot(snapshot: Snapshot, statuses: AccountStatus[]): AlertEvent[] {
    const views = toViews(statuses);
    const view = views.find((v) => v.accountId === snapshot.accountId);
    const merged: AccountView = {
      accountId: snapshot.accountId,
      latest: view?.latest && view.latest.time > snapshot.time ? view.latest : snapshot,
      lastSuccess: snapshot.ok && !(view?.lastSuccess && view.lastSuccess.time > snapshot.time) ? snapshot : (view?.lastSuccess ?? null),
      stale: snapshot.ok ? false : (view?.stale ?? false),
    };
    return this.run([...views.filter((v) => v.accountId !== snapshot.accountId), merged], snapshot.accountId);
  }

  /** After the metering proxy stored requests of these accounts: evaluates the rules that involve them. */
  onMetered(accountIds: readonly string[], statuses: AccountStatus[]): AlertEvent[] {
    const views = toViews(statuses);
    return accountIds.flatMap((id) => this.run(views, id));
  }

  /** Evaluates every rule against the accounts' current state (on a timer, or after a status change). */
  evaluate(statuses: AccountStatus[]): AlertEvent[] {
    return this.run(toViews(statuses));
  }

  private run(accounts: AccountView[], onlyAccount?: string): AlertEvent[] {
    if (this.closed) return [];
    const now = this.now();
    this.flushQuietHours(now);
    const ctx: EvalContext = { now, timeZone: this.zone(), accounts, history: this.opts.history, label: this.opts.label ?? ((id) => id), budgets: this.opts.budgets?.() ?? [] };
    if (this.opts.meter) ctx.meter = this.opts.meter;
    const raised: { rule: AlertRule; event: AlertEvent }[] = [];
    for (const rule of this.rules) {
      if (!rule.enabled || (onlyAccount !== undefined && !ruleTouches(rule, onlyAccount, ctx))) continue;
      let checks: Check[];
      try {
        checks = measure(rule, ctx);
      } catch (err) {
        console.error(`spendbar: alert rule ${rule.id} could not be evaluated:`, err instanceof Error ? err.message : err);
        continue;
      }
      const events = this.repo.transaction(() => this.apply(rule, checks, now));
      for (const event of events) raised.push({ rule, event });
    }
    for (const { rule, event } of raised) this.dispatch(rule, event);
    return raised.map((r) => r.event);
  }

  private apply(rule: AlertRule, checks: Check[], now: number): AlertEvent[] {
    const fires = new Map<string, Check>();
    const out: AlertEvent[] = [];
    const quiet = inQuietHours(this.quietHours, now, this.zone());
    const popup = this.channelsFor(rule).some((c) => c.type === 'popup') ? (quiet ? 'held' : 'sent') : 'none';
    for (const check of checks) {
      const { next, transition } = step(this.repo.state(check.key), check, this.isSnoozed(rule.id, check.subject, now));
      this.repo.putState(check.key, rule.id, check.subject, check.window, next, now);
      // Several levels crossed at once (40% → 96%) make one alert, for the highest.
      if (transition === 'fire') fires.set(check.group ?? check.key, check);
      if (transition === 'recover' && check.recovery) {
        out.push(this.record(rule, check, now, 'recovered', popup, check.recovery.title, check.recovery.body, 'info'));
      }
    }
    for (const check of fires.values()) out.push(this.record(rule, check, now, 'fired', popup, check.title, check.body, check.severity));
    return out;
  }

  private record(rule: AlertRule, c: Check, now: number, kind: AlertEvent['kind'], popup: AlertEvent['popup'], title: string, body: string, severity: Severity): AlertEvent {
    return this.repo.insert({
      time: now,
      kind,
      ruleId: rule.id,
      ruleType: rule.type,
      ...(rule.name ? { ruleName: rule.name } : {}),
      subject: c.subject,
      ...(c.accountId ? { accountId: c.accountId } : {}),
      window: c.window,
      dedupeKey: c.key,
      severity,
      title,
      body,
      value: c.value,
      threshold: c.threshold,
      unit: c.unit,
      popup,
    });
  }

  private channelsFor(rule: AlertRule): AlertChannel[] {
    return rule.channels ? this.channels.filter((c) => rule.channels?.includes(c.id)) : this.channels;
  }

  private dispatch(rule: AlertRule, event: AlertEvent): void {
    try {
      this.opts.onAlert?.(event);
    } catch (err) {
      console.error('spendbar: an alert listener failed:', err instanceof Error ? err.message : err);
    }
    const msg: Outgoing = { title: event.title, body: event.body, severity: event.severity, time: event.time, event, ...(event.accountId ? { accountId: event.accountId } : {}) };
    for (const channel of this.channelsFor(rule)) {
      if (channel.type === 'popup' && event.popup !== 'sent') continue;
      this.track(this.send(channel, msg).then((d) => this.recordDelivery(event.id, d)));
    }
  }

  private send(channel: AlertChannel, msg: Outgoing, retry?: Partial<RetryPolicy>): Promise<Delivery> {
    if (channel.type === 'popup') return sendPopup(channel.id, this.opts.notifier, msg, () => this.now());
    const policy = { ...DEFAULT_RETRY, ...this.opts.retry, ...retry };
    return sendWebhook(channel, msg, { http: this.opts.http ?? fetchHttpClient, retry: policy, signal: this.abort.signal, now: () => this.now() });
  }

  private recordDelivery(id: number, d: Delivery): void {
    if (this.closed) return;
    if (!d.ok) console.error(`spendbar: alert channel ${d.channelId} failed: ${d.message}`);
    this.repo.addDelivery(id, d);
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err) => console.error('spendbar: alert delivery failed:', err)).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private isSnoozed(ruleId: string, subject: string, now: number): boolean {
    return [ruleId, `${ruleId}|${subject}`].some((t) => (this.repo.snoozeRow(t)?.until ?? 0) > now);
  }

  /** After quiet hours: one popup that sums up every alert held during them. */
  private flushQuietHours(now: number): void {
    if (inQuietHours(this.quietHours, now, this.zone())) return;
    const held = this.repo.held();
    if (held.length === 0) return;
    this.repo.setPopup(held.map((e) => e.id), 'summarized');
    const severity = held.reduce<Severity>((s, e) => (RANK[e.severity] > RANK[s] ? e.severity : s), 'info');
    const lines = held.slice(0, 5).map((e) => `• ${e.title}`);
    if (held.length > 5) lines.push(`… and ${held.length - 5} more`);
    const title = held.length === 1 ? `During quiet hours: ${held[0]?.title}` : `${held.length} alerts during quiet hours`;
    const popup = this.channels.find((c) => c.type === 'popup');
    if (!popup) return;
    const msg: Outgoing = { title, body: lines.join('\n'), severity, time: now };
    this.track(this.send(popup, msg).then((d) => held.forEach((e) => this.recordDelivery(e.id, d))));
  }

  /** Periodic work: the quiet-hours summary, staleness of silent providers, pruning. */
  tick(): AlertEvent[] {
    if (this.closed) return [];
    const now = this.now();
    if (now - this.lastPrune > HOUR) {
      this.repo.prune(now);
      this.lastPrune = now;
    }
    if (this.opts.statuses) return this.evaluate(this.opts.statuses());
    this.flushQuietHours(now);
    return [];
  }

  history(filter: AlertHistoryFilter = {}): AlertEvent[] {
    return this.repo.list(filter);
  }

  /** Alerts still in breach and not acknowledged: what the tray shows. */
  active(): AlertEvent[] {
    return this.repo.active(this.now() - ACTIVE_FOR_MS);
  }

  /**
   * Mutes a rule (or one subject of it) until a time. Snoozing an alert also re-arms it, so it reminds once the
   * snooze ends if the breach is still there; acknowledging it cancels that reminder. Returns the end time.
   */
  snooze(target: SnoozeTarget, until: SnoozeUntil): number {
    const now = this.now();
    const end = until === '1h' ? now + HOUR : until === 'tomorrow' ? startOfTomorrow(this.zone(), now) : until;
    if ('eventId' in target) {
      const e = this.repo.event(target.eventId);
      if (!e) throw new RangeError(`No alert ${target.eventId}.`);
      this.repo.snooze(`${e.ruleId}|${e.subject}`, end, e.dedupeKey);
      if (e.kind === 'fired') this.repo.setFired(e.dedupeKey, false);
      this.repo.markSnoozed(e.id, end);
    } else {
      this.repo.snooze(target.subject ? `${target.ruleId}|${target.subject}` : target.ruleId, end, null);
    }
    return end;
  }

  unsnooze(target: { ruleId: string; subject?: string }): void {
    this.repo.unsnooze(target.subject ? `${target.ruleId}|${target.subject}` : target.ruleId);
  }

  acknowledge(eventId: number): boolean {
    const e = this.repo.event(eventId);
    if (!e) return false;
    const target = `${e.ruleId}|${e.subject}`;
    if (this.repo.snoozeRow(target)?.dedupeKey === e.dedupeKey) {
      this.repo.unsnooze(target);
      this.repo.setFired(e.dedupeKey, true);
    }
    return this.repo.acknowledge(eventId, this.now());
  }

  /** Sends a test message through one channel (a saved id, or an unsaved channel from the editor), once, no retries. */
  sendTest(channel: string | AlertChannel): Promise<Delivery> {
    const c = typeof channel === 'string' ? this.channels.find((x) => x.id === channel) : channel;
    const now = this.now();
    if (!c) return Promise.resolve({ channelId: String(channel), ok: false, attempts: 0, message: `No alert channel "${String(channel)}".`, at: now });
    const msg: Outgoing = { title: 'Spendbar test alert', body: 'If you can read this, Spendbar alerts reach this channel.', severity: 'info', time: now, test: true };
    return this.send(c, msg, { attempts: 1 });
  }

  /** Resolves when every delivery under way has finished (or given up). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops the timer, cuts retry waits short and waits for deliveries; the database stays open (the store owns it). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await this.idle();
    this.closed = true;
  }
}

export function toViews(statuses: AccountStatus[]): AccountView[] {
  return statuses.map((s) => ({ accountId: s.accountId, latest: s.latest, lastSuccess: s.lastSuccess, stale: s.stale }));
}

// The alert engine: after each snapshot it measures the rules that snapshot can change, steps each check's persisted
// state (fire once per breach, hysteresis, top-up), records history, and hands alerts to the channels in the
// background: popups at once, webhooks through the durable outbox.
import type { DatabaseSync } from 'node:sqlite';
import type { AlertChannel, AlertEvent, AlertHistoryFilter, AlertRule, Delivery, QuietHours, Severity } from '../../../shared/alerts.ts';
import { DEFAULT_CHANNELS } from '../../../shared/alerts.ts';
import type { AccountStatus, Snapshot } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';
import { defaultHttpClient, type HttpClient } from '../http.ts';
import type { Notifier } from '../ports.ts';
import { HOUR, inQuietHours } from './calendar.ts';
import { toViews, viewAfter, type AccountView, type Check, type EvalContext, type MeterView, type StatusSource } from './check.ts';
import { DEFAULT_RETRY, outcome, quietHoursSummary, sendPopup, tryWebhook, webhookRequest, type Outgoing, type RetryPolicy } from './delivery.ts';

export { toViews, type StatusSource };
import type { AlertHistory } from './history.ts';
import { log } from '../log.ts';
import { step } from './machine.ts';
import { measure, measuresEachAccount, ruleTouches } from './measure.ts';
import { Outbox, outgoingFor } from './outbox.ts';
import { acknowledgeAlert, isSnoozed, snoozeAlert, unsnoozeRule, type SnoozeTarget, type SnoozeUntil } from './snoozes.ts';
import { AlertRepo } from './repo.ts';
import { ensureAlertTables } from './tables.ts';
import { nextWake } from './wake.ts';
import { systemTimeZone } from '../store/tz.ts';

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
  /**
   * How often the engine wakes while a rule needs the clock (provider-failing, rate-limited; see wake.ts). Otherwise it
   * wakes only when something is due: a calendar window's end, the end of quiet hours with alerts held. Default 60 s;
   * 0 = never (tests call tick()).
   */
  tickMs?: number;
  /** The metering proxy's figures, for the rate-limit rules. */
  meter?: MeterView;
  /** The core's redaction: alert texts are scrubbed before they are stored or sent. */
  redact?: (text: string) => string;
}

export type { SnoozeTarget, SnoozeUntil };

const ACTIVE_FOR_MS = 7 * 24 * HOUR;

export class AlertEngine {
  private readonly repo: AlertRepo;
  private readonly opts: AlertEngineOptions;
  private rules: AlertRule[];
  private channels: AlertChannel[];
  private quietHours: QuietHours | null;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly outbox: Outbox;
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (Infinity when none is). */
  private wakeAt = Infinity;
  private readonly tickMs: number;
  private readonly scrub: (text: string) => string;
  private closed = false;
  private resumed = false;
  private lastPrune = 0;

  constructor(opts: AlertEngineOptions) {
    this.opts = opts;
    ensureAlertTables(opts.db);
    this.repo = new AlertRepo(opts.db);
    this.rules = opts.rules ?? [];
    this.channels = opts.channels ?? DEFAULT_CHANNELS;
    this.quietHours = opts.quietHours ?? null;
    this.scrub = opts.redact ?? ((t) => t);
    this.outbox = new Outbox({
      repo: this.repo,
      http: () => this.opts.http ?? defaultHttpClient,
      retry: () => ({ ...DEFAULT_RETRY, ...this.opts.retry }),
      now: () => this.now(),
      scrub: this.scrub,
    });
    if (opts.channels) this.resumeDeliveries();
    this.tickMs = opts.tickMs ?? 60_000;
    this.schedule();
  }

  /**
   * Arms one unref'd timer for the next time anything is due (see nextWake), or none. Called whenever what is due
   * may have changed: rules, quiet hours, an evaluation (alerts may have been held), a wake-up.
   */
  private schedule(): void {
    if (this.tickMs <= 0 || this.closed) return;
    const now = this.now();
    const zone = this.zone();
    const held = this.quietHours !== null && this.repo.held().length > 0;
    const due = nextWake({ rules: this.rules, quietHours: this.quietHours, held, zone, now, everyMs: this.tickMs });
    if (due === null) return this.disarm();
    // Never busier than the tick, and never armed past what setTimeout can hold (it would fire at once).
    const at = Math.max(due, now + Math.min(this.tickMs, 1_000));
    if (this.timer && this.wakeAt <= at && this.wakeAt > now) return;
    this.disarm();
    this.wakeAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wakeAt = Infinity;
      this.tick();
    }, Math.min(at - now, 2_147_483_647));
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAt = Infinity;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private zone(): string {
    const z = this.opts.timeZone;
    return (typeof z === 'function' ? z() : z) ?? systemTimeZone();
  }

  setRules(rules: AlertRule[]): void {
    this.rules = rules;
    this.schedule();
  }

  setChannels(channels: AlertChannel[]): void {
    this.channels = channels;
    this.resumeDeliveries();
  }

  /** Once the channels are known: deliveries an earlier process still owed go out now. */
  private resumeDeliveries(): void {
    if (this.resumed || this.closed) return;
    this.resumed = true;
    this.outbox.resume(this.channels);
  }

  setQuietHours(q: QuietHours | null): void {
    this.quietHours = q;
    this.schedule();
  }

  /**
   * Evaluates the rules the snapshot's account can change, reading only that account unless a rule takes a currency
   * across accounts: the work per poll does not grow with the number of accounts. Returns the alerts it recorded.
   */
  onSnapshot(snapshot: Snapshot, statuses: AccountStatus[] | StatusSource): AlertEvent[] {
    const source: StatusSource = Array.isArray(statuses)
      ? { one: (id) => statuses.find((s) => s.accountId === id), all: () => statuses }
      : statuses;
    const merged = viewAfter(snapshot, source.one(snapshot.accountId) ?? undefined);
    let everyone: AccountView[] | null = null;
    const all = () => (everyone ??= [...toViews(source.all()).filter((v) => v.accountId !== snapshot.accountId), merged]);
    return this.run((rule) => (measuresEachAccount(rule) ? [merged] : all()), snapshot.accountId);
  }

  /** After the metering proxy stored requests of these accounts: evaluates the rules that involve them. */
  onMetered(accountIds: readonly string[], statuses: AccountStatus[]): AlertEvent[] {
    const views = toViews(statuses);
    return accountIds.flatMap((id) => this.run(() => views, id));
  }

  /** Evaluates every rule against the accounts' current state (on a timer, or after a status change). */
  evaluate(statuses: AccountStatus[]): AlertEvent[] {
    const views = toViews(statuses);
    return this.run(() => views);
  }

  private run(accountsFor: (rule: AlertRule) => AccountView[], onlyAccount?: string): AlertEvent[] {
    if (this.closed) return [];
    const now = this.now();
    this.prune(now);
    this.flushQuietHours(now);
    const base = { now, timeZone: this.zone(), history: this.opts.history, label: this.opts.label ?? ((id: string) => id), budgets: this.opts.budgets?.() ?? [] };
    if (this.opts.meter) (base as { meter?: MeterView }).meter = this.opts.meter;
    const raised: { rule: AlertRule; event: AlertEvent }[] = [];
    for (const rule of this.rules) {
      if (!rule.enabled || (onlyAccount !== undefined && rule.account !== undefined && rule.account !== '*' && rule.account !== onlyAccount)) continue;
      const ctx: EvalContext = { ...base, accounts: accountsFor(rule) };
      if (onlyAccount !== undefined && !ruleTouches(rule, onlyAccount, ctx)) continue;
      let checks: Check[];
      try {
        checks = measure(rule, ctx);
      } catch (err) {
        log.error(`spendbar: alert rule ${rule.id} could not be evaluated:`, err);
        continue;
      }
      const hooks = this.channelsFor(rule).filter((c) => c.type === 'webhook');
      // What is owed to each webhook is written with the alert: a crash right after cannot lose the delivery.
      const events = this.repo.transaction(() => {
        const recorded = this.apply(rule, checks, now);
        for (const e of recorded) for (const c of hooks) this.outbox.owe(e.id, c.id);
        return recorded;
      });
      for (const event of events) raised.push({ rule, event });
    }
    for (const { rule, event } of raised) this.dispatch(rule, event);
    // An alert held in quiet hours makes their end due.
    if (raised.length > 0 || this.timer === undefined) this.schedule();
    return raised.map((r) => r.event);
  }

  private apply(rule: AlertRule, checks: Check[], now: number): AlertEvent[] {
    const fires = new Map<string, Check>();
    const out: AlertEvent[] = [];
    const quiet = inQuietHours(this.quietHours, now, this.zone());
    const popup = this.channelsFor(rule).some((c) => c.type === 'popup') ? (quiet ? 'held' : 'sent') : 'none';
    for (const check of checks) {
      const { next, transition } = step(this.repo.state(check.key), check, isSnoozed(this.repo, rule.id, check.subject, now));
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
      title: this.scrub(title),
      body: this.scrub(body),
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
      log.error('spendbar: an alert listener failed:', err);
    }
    const msg = outgoingFor(event, this.scrub);
    for (const channel of this.channelsFor(rule)) {
      if (channel.type === 'webhook') this.outbox.send(event, channel);
      else if (event.popup === 'sent') this.track(this.send(channel, msg).then((d) => this.recordDelivery(event.id, d)));
    }
  }

  /** One try through a channel, now (popups, summaries, tests); alerts' webhooks go through the outbox instead. */
  private async send(channel: AlertChannel, msg: Outgoing): Promise<Delivery> {
    if (channel.type === 'popup') return sendPopup(channel.id, this.opts.notifier, msg, () => this.now());
    const policy = { ...DEFAULT_RETRY, ...this.opts.retry };
    const last = await tryWebhook(this.opts.http ?? defaultHttpClient, webhookRequest(channel, msg, policy.timeoutMs), () => this.now());
    return outcome(channel.id, last, 1, this.now());
  }

  private recordDelivery(id: number, d: Delivery): void {
    if (this.closed) return;
    const delivery = d.message === undefined ? d : { ...d, message: this.scrub(d.message) };
    if (!delivery.ok) log.error(`spendbar: alert channel ${delivery.channelId} failed: ${delivery.message}`);
    this.repo.addDelivery(id, delivery);
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => log.error('spendbar: alert delivery failed:', err)).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** After quiet hours: one popup that sums up every alert held during them. */
  private flushQuietHours(now: number): void {
    if (inQuietHours(this.quietHours, now, this.zone())) return;
    const held = this.repo.held();
    if (held.length === 0) return;
    this.repo.setPopup(held.map((e) => e.id), 'summarized');
    const popup = this.channels.find((c) => c.type === 'popup');
    if (!popup) return;
    this.track(this.send(popup, quietHoursSummary(held, now)).then((d) => held.forEach((e) => this.recordDelivery(e.id, d))));
  }

  /** At most hourly, with whatever evaluation comes next: no timer of its own. */
  private prune(now: number): void {
    if (now - this.lastPrune <= HOUR) return;
    this.repo.prune(now);
    this.lastPrune = now;
  }

  /** Work that is due by the clock: the quiet-hours summary, staleness of silent providers, window ends. */
  tick(): AlertEvent[] {
    if (this.closed) return [];
    const now = this.now();
    let raised: AlertEvent[] = [];
    if (this.opts.statuses) raised = this.evaluate(this.opts.statuses());
    else {
      this.prune(now);
      this.flushQuietHours(now);
    }
    this.schedule();
    return raised;
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
    return snoozeAlert(this.repo, target, until, this.now(), this.zone());
  }

  unsnooze(target: { ruleId: string; subject?: string }): void {
    unsnoozeRule(this.repo, target);
  }

  acknowledge(eventId: number): boolean {
    return acknowledgeAlert(this.repo, eventId, this.now());
  }

  /** Sends a test message through one channel (a saved id, or an unsaved channel from the editor), once, no retries. */
  sendTest(channel: string | AlertChannel): Promise<Delivery> {
    const c = typeof channel === 'string' ? this.channels.find((x) => x.id === channel) : channel;
    const now = this.now();
    if (!c) return Promise.resolve({ channelId: String(channel), ok: false, attempts: 0, message: `No alert channel "${String(channel)}".`, at: now });
    const msg: Outgoing = { title: 'Spendbar test alert', body: 'If you can read this, Spendbar alerts reach this channel.', severity: 'info', time: now, test: true };
    return this.send(c, msg).then((d) => (d.message === undefined ? d : { ...d, message: this.scrub(d.message) }));
  }

  /** Resolves when every delivery under way has finished (or given up). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await this.outbox.idle();
  }

  /**
   * Stops the timer, cuts retry waits short and waits for tries under way; webhook deliveries still owed stay owed
   * and resume at the next start. The database stays open (the store owns it).
   */
  async close(): Promise<void> {
    this.disarm();
    await this.outbox.close();
    await this.idle();
    this.closed = true;
  }
}

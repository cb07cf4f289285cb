// The JSON API's routes: each one checks the shape of what it was sent and calls the SpendbarApi. The schemas behind
// the API check the rest; transport concerns (who may call, bodies, errors) live in http-server.ts and guard.ts.
import type { IncomingMessage } from 'node:http';
import { HTTP_ROUTES, type SpendbarApi } from '../../../shared/api.ts';
import type { AlertHistoryFilter } from '../../../shared/alerts.ts';
import { formatIssues } from '../../../shared/schemas.ts';
import { requestFilterFromQuery } from '../../../shared/metering.ts';
import { HttpError } from './guard.ts';

export type Route = (req: IncomingMessage, body: unknown, url: URL) => Promise<unknown>;

export function apiRoutes(api: SpendbarApi): Record<string, Route> {
  return {
    [`GET ${HTTP_ROUTES.info}`]: () => api.getInfo(),
    [`GET ${HTTP_ROUTES.providers}`]: () => api.listProviders(),
    [`GET ${HTTP_ROUTES.accounts}`]: () => api.listAccounts(),
    [`POST ${HTTP_ROUTES.accounts}`]: (_r, body) => {
      const b = asObject(body);
      return api.saveAccount(asObject(b.input) as never, { force: b.force === true });
    },
    [`POST ${HTTP_ROUTES.testAccount}`]: (_r, body) => api.testAccount(asObject(body) as never),
    [`GET ${HTTP_ROUTES.status}`]: () => api.getStatus(),
    [`POST ${HTTP_ROUTES.series}`]: (_r, body) => api.querySeries(asObject(body) as never),
    [`POST ${HTTP_ROUTES.totals}`]: (_r, body) => api.queryTotals(asObject(body) as never),
    [`GET ${HTTP_ROUTES.filters}`]: () => api.filterValues(),
    [`POST ${HTTP_ROUTES.refresh}`]: (_r, body) => {
      const id = body === undefined ? undefined : asObject(body).accountId;
      if (id !== undefined && typeof id !== 'string') throw new HttpError(400, 'accountId must be a string.', 'accountId');
      return api.refresh(id);
    },
    [`GET ${HTTP_ROUTES.alerts}`]: () => api.getAlerts(),
    [`PUT ${HTTP_ROUTES.alerts}`]: (_r, body) => api.saveAlerts(asObject(body) as never),
    [`POST ${HTTP_ROUTES.alertPreview}`]: (_r, body) => {
      const b = asObject(body);
      if (b.days !== undefined && typeof b.days !== 'number') throw new HttpError(400, 'days must be a number.', 'days');
      return api.previewAlertRule(b.rule, b.days as number | undefined);
    },
    [`GET ${HTTP_ROUTES.alertHistory}`]: (_r, _b, url) => api.alertHistory(historyFilter(url.searchParams)),
    [`POST ${HTTP_ROUTES.alertSnooze}`]: (_r, body) => {
      const b = asObject(body);
      const until = b.until;
      if (until !== '1h' && until !== 'tomorrow' && typeof until !== 'number') throw new HttpError(400, 'until must be "1h", "tomorrow" or a time in epoch ms.', 'until');
      const target = typeof b.eventId === 'number' ? { eventId: b.eventId } : typeof b.ruleId === 'string' ? { ruleId: b.ruleId, ...(typeof b.subject === 'string' ? { subject: b.subject } : {}) } : null;
      if (!target) throw new HttpError(400, 'Give the eventId of an alert, or a ruleId, to snooze.', 'eventId');
      return api.snoozeAlert(target, until);
    },
    [`POST ${HTTP_ROUTES.alertAcknowledge}`]: async (_r, body) => {
      const id = asObject(body).eventId;
      if (typeof id !== 'number') throw new HttpError(400, 'eventId must be a number.', 'eventId');
      return { acknowledged: await api.acknowledgeAlert(id) };
    },
    [`POST ${HTTP_ROUTES.alertTest}`]: (_r, body) => {
      const b = asObject(body);
      const channel = typeof b.channelId === 'string' ? b.channelId : b.channel;
      if (channel === undefined) throw new HttpError(400, 'Give a channelId or a channel to test.', 'channelId');
      return api.testAlertChannel(channel as never);
    },
    [`GET ${HTTP_ROUTES.requests}`]: (_r, _b, url) => {
      const parsed = requestFilterFromQuery(url.searchParams);
      if (!parsed.success) throw new HttpError(400, formatIssues(parsed.error));
      return api.listRequests(parsed.data);
    },
    [`GET ${HTTP_ROUTES.requestsSummary}`]: (_r, _b, url) => {
      const q = url.searchParams;
      const range: { from?: number; to?: number } = {};
      for (const k of ['from', 'to'] as const) {
        const v = q.get(k);
        if (v === null) continue;
        if (!/^\d+$/.test(v)) throw new HttpError(400, `${k} must be a time in epoch milliseconds.`, k);
        range[k] = Number(v);
      }
      return api.meterSummary(range);
    },
    [`POST ${HTTP_ROUTES.proxyCopyToken}`]: () => api.copyProxyToken(),
    [`POST ${HTTP_ROUTES.estimate}`]: (_r, body) => api.estimateCost(asObject(body) as never),
    [`GET ${HTTP_ROUTES.spend}`]: () => api.getSpendSummary(),
    [`PUT ${HTTP_ROUTES.budgets}`]: (_r, body) => {
      const budgets = asObject(body).budgets;
      if (!Array.isArray(budgets)) throw new HttpError(400, 'Send {"budgets": [{"currency": "USD", "amount": 50}]}.', 'budgets');
      return api.saveBudgets(budgets as never);
    },
    [`POST ${HTTP_ROUTES.pause}`]: async (_r, body) => {
      const paused = asObject(body).paused;
      if (typeof paused !== 'boolean') throw new HttpError(400, 'paused must be true or false.', 'paused');
      await api.setPaused(paused);
      return undefined;
    },
  };
}

/** `/api/accounts/<id>`: the id, decoded; a malformed escape is the caller's mistake (400), not ours. */
export function accountIdFromPath(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new HttpError(400, 'The account id in the path is not valid URL encoding.', 'id');
  }
}

function historyFilter(q: URLSearchParams): AlertHistoryFilter {
  const f: AlertHistoryFilter = {};
  const num = (name: string) => {
    const v = q.get(name);
    if (v === null) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new HttpError(400, `${name} must be a number.`, name);
    return n;
  };
  const from = num('from');
  const to = num('to');
  const limit = num('limit');
  if (from !== undefined) f.from = from;
  if (to !== undefined) f.to = to;
  if (limit !== undefined) f.limit = limit;
  const ruleId = q.get('ruleId');
  const accountId = q.get('accountId');
  const kind = q.get('kind');
  const ack = q.get('acknowledged');
  if (ruleId) f.ruleId = ruleId;
  if (accountId) f.accountId = accountId;
  if (kind === 'fired' || kind === 'recovered') f.kind = kind;
  if (ack === 'true' || ack === 'false') f.acknowledged = ack === 'true';
  return f;
}

export function asObject(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'Expected a JSON object in the request body.');
  return v as Record<string, unknown>;
}

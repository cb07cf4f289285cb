// The main side of the IPC contract. Every handler goes through `handle`, which drops any sender whose
// frame is not the app's own page and validates the arguments with the shared schemas (the same ones the
// headless HTTP server uses) before the core sees them. Failures come back as messages without secrets.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import type { SpendbarApi } from '../../shared/api.ts';
import {
  accountIdSchema,
  accountInputSchema,
  budgetsSchema,
  firstIssuePath,
  formatForForm,
  formatIssues,
  seriesQuerySchema,
  totalsQuerySchema,
} from '../../shared/schemas.ts';
import { estimateRequestSchema } from '../../shared/estimate-schema.ts';
import type { AlertChannel } from '../../shared/alerts.ts';
import { meterRangeSchema, requestFilterSchema } from '../../shared/metering.ts';
import { redact } from '../core/errors.ts';
import { secretsInArgs } from '../core/scrubbed-api.ts';
import {
  alertsInputSchema,
  eventIdSchema,
  historyFilterSchema,
  previewDaysSchema,
  snoozeTargetSchema,
  snoozeUntilSchema,
  testChannelSchema,
} from './alert-args.ts';
import { INVOKE_CHANNELS, INVOKE_METHODS, type InvokeMethod, type IpcResult } from './ipc-contract.ts';
import { isAppUrl } from './origin.ts';

/** Each method's arguments as a tuple: extra arguments are refused, optional ones may be left out. */
export const ARGUMENT_SCHEMAS = {
  getInfo: z.tuple([]),
  listProviders: z.tuple([]),
  listAccounts: z.tuple([]),
  saveAccount: z.tuple([accountInputSchema, z.strictObject({ force: z.boolean().optional() }).optional()]),
  removeAccount: z.tuple([accountIdSchema]),
  testAccount: z.tuple([accountInputSchema]),
  getStatus: z.tuple([]),
  querySeries: z.tuple([seriesQuerySchema]),
  queryTotals: z.tuple([totalsQuerySchema]),
  filterValues: z.tuple([]),
  refresh: z.tuple([accountIdSchema.optional()]),
  setPaused: z.tuple([z.boolean({ error: 'paused must be true or false' })]),
  getAlerts: z.tuple([]),
  saveAlerts: z.tuple([alertsInputSchema]),
  previewAlertRule: z.tuple([z.unknown(), previewDaysSchema.optional()]),
  alertHistory: z.tuple([historyFilterSchema.optional()]),
  snoozeAlert: z.tuple([snoozeTargetSchema, snoozeUntilSchema]),
  acknowledgeAlert: z.tuple([eventIdSchema]),
  testAlertChannel: z.tuple([testChannelSchema]),
  listRequests: z.tuple([requestFilterSchema.optional()]),
  meterSummary: z.tuple([meterRangeSchema.optional()]),
  copyProxyToken: z.tuple([]),
  estimateCost: z.tuple([estimateRequestSchema]),
  getSpendSummary: z.tuple([]),
  saveBudgets: z.tuple([budgetsSchema]),
} satisfies Record<InvokeMethod, z.ZodType<unknown[]>>;

type Args<M extends InvokeMethod> = z.output<(typeof ARGUMENT_SCHEMAS)[M]>;

const CALLS: { [M in InvokeMethod]: (api: SpendbarApi, args: Args<M>) => Promise<unknown> } = {
  getInfo: (api) => api.getInfo(),
  listProviders: (api) => api.listProviders(),
  listAccounts: (api) => api.listAccounts(),
  saveAccount: (api, [input, opts]) => api.saveAccount(input, opts),
  removeAccount: (api, [id]) => api.removeAccount(id),
  testAccount: (api, [input]) => api.testAccount(input),
  getStatus: (api) => api.getStatus(),
  querySeries: (api, [query]) => api.querySeries(query),
  queryTotals: (api, [query]) => api.queryTotals(query),
  filterValues: (api) => api.filterValues(),
  refresh: (api, [accountId]) => api.refresh(accountId),
  setPaused: (api, [paused]) => api.setPaused(paused),
  getAlerts: (api) => api.getAlerts(),
  saveAlerts: (api, [input]) => api.saveAlerts(input),
  previewAlertRule: (api, [rule, days]) => api.previewAlertRule(rule, days),
  alertHistory: (api, [filter]) => api.alertHistory(filter),
  snoozeAlert: (api, [target, until]) => api.snoozeAlert(target, until),
  acknowledgeAlert: (api, [eventId]) => api.acknowledgeAlert(eventId),
  // A webhook may arrive without its URL (the core fills in the stored one), which AlertChannel cannot say.
  testAlertChannel: (api, [channel]) => api.testAlertChannel(channel as string | AlertChannel),
  listRequests: (api, [filter]) => api.listRequests(filter),
  meterSummary: (api, [range]) => api.meterSummary(range),
  copyProxyToken: (api) => api.copyProxyToken(),
  estimateCost: (api, [request]) => api.estimateCost(request),
  getSpendSummary: (api) => api.getSpendSummary(),
  saveBudgets: (api, [budgets]) => api.saveBudgets(budgets),
};

export const FOREIGN_SENDER_MESSAGE = 'Refused: this request did not come from the Spendbar window.';

export interface IpcLog {
  warn(message: string): void;
  error(message: string): void;
}

export interface IpcOptions {
  /** The Vite dev server's URL in development; its origin is trusted like app://. */
  devServerUrl?: string;
  log?: IpcLog;
  /** Called after a call succeeded, e.g. so the tray re-reads alerts the window acknowledged. */
  onCalled?(method: InvokeMethod): void;
}

function failure(message: string, field?: string): IpcResult<never> {
  return { ok: false, error: field ? { message, field } : { message } };
}

function senderUrl(event: IpcMainInvokeEvent): string | undefined {
  // senderFrame is null once the frame navigated away or was destroyed: such a sender is not trusted.
  return event.senderFrame?.url;
}

/**
 * Registers one handler: sender check, argument validation, then the call. Returns the result as a value
 * (see IpcResult); nothing the core throws reaches Electron's own error wrapping.
 */
export function handle<M extends InvokeMethod>(
  ipcMain: Pick<IpcMain, 'handle'>,
  method: M,
  api: SpendbarApi,
  opts: IpcOptions = {},
): void {
  const log = opts.log ?? console;
  const schema = ARGUMENT_SCHEMAS[method];
  const call = CALLS[method];
  ipcMain.handle(INVOKE_CHANNELS[method], async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
    const url = senderUrl(event);
    if (!isAppUrl(url, opts.devServerUrl)) {
      log.warn(`spendbar: dropped a ${method} call from a frame that is not the app's own (${describeOrigin(url)})`);
      return failure(FOREIGN_SENDER_MESSAGE);
    }
    // What the call itself carries (a key being tested, a webhook URL): masked in a validation message too.
    const secrets = secretsInArgs(args);
    const parsed = schema.safeParse(args);
    if (!parsed.success) {
      // A form cares about its own field ("baseUrl"), not the argument position ("[0].baseUrl").
      const issues = parsed.error.issues.map((i) => (typeof i.path[0] === 'number' ? { ...i, path: i.path.slice(1) } : i));
      const arity = issues.some((i) => i.path.length === 0);
      const message = redact(arity ? formatIssues(issues) : formatForForm(issues), secrets);
      return failure(arity ? `${method} was called with the wrong arguments: ${message}` : message, firstIssuePath(issues));
    }
    try {
      const value = await call(api, parsed.data as Args<M>);
      opts.onCalled?.(method);
      return { ok: true, value } satisfies IpcResult<unknown>;
    } catch (err) {
      const message = redact(err instanceof Error ? err.message : String(err), secrets);
      log.error(`spendbar: ${method} failed: ${message}`);
      const field = (err as { field?: unknown } | null)?.field;
      return failure(message || `${method} failed`, typeof field === 'string' ? field : undefined);
    }
  });
}

/** Registers every method of the contract; the returned function removes them again. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, api: SpendbarApi, opts: IpcOptions = {}): () => void {
  for (const method of INVOKE_METHODS) handle(ipcMain, method, api, opts);
  return () => {
    for (const method of INVOKE_METHODS) ipcMain.removeHandler(INVOKE_CHANNELS[method]);
  };
}

/** The origin only: a foreign page's path or query is none of the log's business. */
function describeOrigin(url: string | undefined): string {
  if (!url) return 'no frame';
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'unparsable URL';
  }
}

// The alert engine's public surface for the core's wiring.
export { AlertEngine, toViews, type AlertEngineOptions, type SnoozeTarget, type SnoozeUntil } from './engine.ts';
export { historyFromStore, cachedHistory, type AlertHistory, type SnapshotStoreLike, type UsageMetric } from './history.ts';
export { previewRule, type PreviewOptions, type PreviewResult } from './preview.ts';
export type { MeterHistory } from './preview-ratelimit.ts';
export { ensureAlertTables, ALERT_SCHEMA_VERSION } from './tables.ts';
export { DEFAULT_RETRY, webhookRequest, type RetryPolicy } from './delivery.ts';
export { measure } from './measure.ts';
export type { AccountView, Check, EvalContext } from './check.ts';

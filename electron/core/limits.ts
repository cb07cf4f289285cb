// Every input Spendbar accepts has a ceiling, so no file, request or provider can grow its memory without bound.
// One home for the numbers; README "Limits" and SECURITY.md list them.
export { MAX_REPLY_BYTES } from './http.ts';
export { EVENT_STREAM_LIMITS } from './server/event-stream.ts';

/** A request body to `spendbar serve`. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
/** The headless config file. A thousand accounts with their options fit in a tenth of it. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Accounts, config file and settings together. */
export const MAX_ACCOUNTS = 1000;
/** Alert rules, config file and settings together. */
export const MAX_ALERT_RULES = 500;
/** Alert channels (popup and webhooks). */
export const MAX_ALERT_CHANNELS = 50;

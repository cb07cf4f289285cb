// Channel edits as the core takes them: webhook URLs are write-only, so an unchanged or empty URL is sent as ""
// (the core keeps the stored one) and checked against the masked form the view shows.
import { validateChannels, validateRules, type AlertChannel, type WebhookFormat } from '../../shared/alerts.ts';

export interface ChannelDraft {
  /** Set when editing a saved channel. */
  existing: AlertChannel | null;
  id: string;
  type: AlertChannel['type'];
  name: string;
  format: WebhookFormat;
  /** A new URL; "" keeps the stored one. */
  url: string;
}

export const WEBHOOK_FORMATS: { value: WebhookFormat; label: string; placeholder: string }[] = [
  { value: 'slack', label: 'Slack', placeholder: 'https://hooks.slack.com/services/…' },
  { value: 'discord', label: 'Discord', placeholder: 'https://discord.com/api/webhooks/…' },
  { value: 'ntfy', label: 'ntfy', placeholder: 'https://ntfy.sh/my-spendbar-alerts' },
  { value: 'json', label: 'JSON (generic)', placeholder: 'https://example.com/hooks/spendbar' },
];

/** A free id like "slack", "slack-2", for a new channel. */
export function freeChannelId(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}-${n}`)) return `${base}-${n}`;
}

export function newWebhookDraft(taken: readonly string[]): ChannelDraft {
  return { existing: null, id: freeChannelId('slack', taken), type: 'webhook', name: '', format: 'slack', url: '' };
}

export function draftFromChannel(c: AlertChannel): ChannelDraft {
  return { existing: c, id: c.id, type: c.type, name: c.name ?? '', format: c.type === 'webhook' ? c.format : 'json', url: '' };
}

/** The channel as sent to the core. */
export function channelFromDraft(d: ChannelDraft): AlertChannel {
  const name = d.name.trim() ? { name: d.name.trim() } : {};
  if (d.type === 'popup') return { id: d.id.trim(), type: 'popup', ...name };
  return { id: d.id.trim(), type: 'webhook', format: d.format, url: d.url.trim(), ...name };
}

/** A saved channel as it goes back unchanged: its URL is write-only, so "" says "keep it". */
export function keepChannel(c: AlertChannel): AlertChannel {
  return c.type === 'webhook' ? { ...c, url: '' } : c;
}

/** For validation only: a kept URL is checked in its masked form (same host and scheme as the real one). */
function forCheck(c: AlertChannel, saved: readonly AlertChannel[]): AlertChannel {
  if (c.type !== 'webhook' || c.url) return c;
  const before = saved.find((s) => s.id === c.id);
  return before?.type === 'webhook' ? { ...c, url: before.url } : c;
}

/**
 * The first problem with a channel list the core would refuse: a bad channel, or a rule that names a channel no longer
 * there. Null when it would be accepted.
 */
export function checkChannels(channels: readonly AlertChannel[], saved: readonly AlertChannel[], rules: readonly unknown[], accountIds: readonly string[]): string | null {
  const v = validateChannels(channels.map((c) => forCheck(c, saved)));
  if (v.errors.length) return v.errors[0]!.message;
  const r = validateRules(rules, { accountIds, channelIds: v.channels.map((c) => c.id) });
  if (r.errors.length) return `${r.errors[0]!.message}. Change that rule first.`;
  return null;
}

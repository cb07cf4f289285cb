// Argument schemas for the alert half of the IPC contract. Rules are left to the core, which checks each one
// against the accounts and channels that exist and names the bad one; everything else is checked here, so a
// malformed call never reaches the core.
import { z } from 'zod';
import { channelSchema, quietHoursSchema, type AlertHistoryFilter } from '../../shared/alerts.ts';
import type { AlertsInput, SnoozeTarget, SnoozeUntil } from '../../shared/api.ts';
import { accountIdSchema } from '../../shared/schemas.ts';

/** The history store caps a page at this many events. */
export const MAX_HISTORY_LIMIT = 5000;
export const MAX_PREVIEW_DAYS = 365;
/** Far more than anyone writes by hand; a bigger list is a runaway page, not a settings change. */
const MAX_RULES = 1000;
const MAX_CHANNELS = 100;

const epochMs = z
  .number({ error: 'must be a time in epoch milliseconds' })
  .int({ error: 'must be a whole number of epoch milliseconds' })
  .nonnegative({ error: 'must not be negative' });

export const eventIdSchema = z
  .number({ error: 'eventId must be a number' })
  .int({ error: 'eventId must be a whole number' })
  .positive({ error: 'eventId must be more than 0' });

// Derived rule ids ("balance-below.<account>.<hash>") can be longer than hand-written ones; the core looks them up.
const ruleIdSchema = z
  .string({ error: 'ruleId must be text' })
  .min(1, { error: 'ruleId must not be empty' })
  .max(200, { error: 'ruleId is too long' });
const subjectSchema = z.string({ error: 'subject must be text' }).min(1, { error: 'subject must not be empty' }).max(200, { error: 'subject is too long' });
const channelIdSchema = z.string({ error: 'A channel id must be text' }).min(1, { error: 'A channel id must not be empty' }).max(64, { error: 'A channel id is at most 64 characters' });

/**
 * A webhook edited without retyping its URL comes back with url "" (URLs are write-only, like keys): the core
 * swaps in the stored URL and validates the result. Every other channel must be complete and valid here.
 */
const storedUrlWebhookSchema = z.strictObject({
  id: channelIdSchema,
  type: z.literal('webhook'),
  name: z.string().optional(),
  url: z.literal('').optional(),
  format: z.enum(['json', 'slack', 'discord', 'ntfy']).optional(),
});

export const channelArgSchema = z.union([channelSchema, storedUrlWebhookSchema], {
  error: 'A channel must be {"id", "type": "popup"} or {"id", "type": "webhook", "url", "format"}',
});

export const alertsInputSchema = z.strictObject({
  rules: z.array(z.unknown(), { error: 'rules must be a list' }).max(MAX_RULES, { error: `At most ${MAX_RULES} alert rules` }),
  channels: z
    .array(channelArgSchema, { error: 'channels must be a list' })
    .max(MAX_CHANNELS, { error: `At most ${MAX_CHANNELS} alert channels` })
    .optional(),
  // null clears quiet hours; absent keeps them.
  quietHours: quietHoursSchema.nullable().optional(),
}) satisfies z.ZodType<AlertsInput>;

export const previewDaysSchema = z
  .number({ error: 'Preview days must be a number' })
  .int({ error: 'Preview days must be a whole number' })
  .min(1, { error: `Preview days must be from 1 to ${MAX_PREVIEW_DAYS}` })
  .max(MAX_PREVIEW_DAYS, { error: `Preview days must be from 1 to ${MAX_PREVIEW_DAYS}` });

export const historyFilterSchema = z
  .strictObject({
    from: epochMs.optional(),
    to: epochMs.optional(),
    ruleId: ruleIdSchema.optional(),
    accountId: accountIdSchema.optional(),
    kind: z.enum(['fired', 'recovered'], { error: 'kind must be "fired" or "recovered"' }).optional(),
    acknowledged: z.boolean({ error: 'acknowledged must be true or false' }).optional(),
    limit: z
      .number({ error: 'limit must be a number' })
      .int({ error: 'limit must be a whole number' })
      .min(1, { error: 'limit must be at least 1' })
      .max(MAX_HISTORY_LIMIT, { error: `limit must be at most ${MAX_HISTORY_LIMIT}` })
      .optional(),
  })
  .superRefine((f, ctx) => {
    if (f.from !== undefined && f.to !== undefined && f.from >= f.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: "'to' must be after 'from'" });
    }
  }) satisfies z.ZodType<AlertHistoryFilter>;

export const snoozeTargetSchema = z.union(
  [z.strictObject({ eventId: eventIdSchema }), z.strictObject({ ruleId: ruleIdSchema, subject: subjectSchema.optional() })],
  { error: 'Snooze needs the eventId of an alert, or the ruleId (and optionally subject) of a rule' },
) satisfies z.ZodType<SnoozeTarget>;

const UNTIL_MESSAGE = 'until must be "1h", "tomorrow" or a time in epoch milliseconds';
export const snoozeUntilSchema = z.union([z.literal('1h'), z.literal('tomorrow'), z.number({ error: UNTIL_MESSAGE }).int().positive()], {
  error: UNTIL_MESSAGE,
}) satisfies z.ZodType<SnoozeUntil>;

/** A saved channel by id, or an unsaved one from the editor. */
export const testChannelSchema = z.union([channelIdSchema, channelArgSchema], {
  error: 'Give a channel id, or a channel to test',
});

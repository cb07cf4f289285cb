// The estimate request as the IPC boundary checks it (zod; kept out of estimate.ts so the types stay schema-free).
// The core checks the same bounds again with user-facing messages (electron/core/estimate/prompt.ts, estimate.ts).
import { z } from 'zod';
import { MAX_ESTIMATE_BYTES, MAX_ESTIMATE_MODELS, MAX_OUTPUT_LIMIT } from './estimate.ts';

export const estimateRequestSchema = z.strictObject({
  input: z.string({ error: 'input must be text' }).max(MAX_ESTIMATE_BYTES, { error: `The input is larger than ${MAX_ESTIMATE_BYTES / 1_048_576} MiB, the most Spendbar estimates at once.` }),
  models: z.array(z.string().max(200)).max(MAX_ESTIMATE_MODELS, { error: `Compare at most ${MAX_ESTIMATE_MODELS} models at once.` }).optional(),
  maxOutput: z.number().int().min(0).max(MAX_OUTPUT_LIMIT, { error: `max output must be at most ${MAX_OUTPUT_LIMIT}` }).optional(),
  format: z.enum(['auto', 'text', 'messages']).optional(),
});

// SurferCloud / UCloud UModelVerse: token and request counts of one API key, signed with the account's public/private
// key pair. The service reports tokens, never money. GetUMInferTokenUsage first (./surfercloud-usage.ts); where a
// region wants a Model on every request, once per model (from the account's list, else the key's grants); where the
// action is gone, the request logs (./surfercloud-logs.ts).
import { ProviderError, redact } from '../errors.ts';
import { safeHost } from '../http.ts';
import { emptyReading, type FetchContext, type ProviderAdapter, type ProviderReading } from './types.ts';
import { ActionMissing, ModelRequired, type SurferSettings } from './surfercloud-api.ts';
import { grantedModels, readRequestLogs } from './surfercloud-logs.ts';
import { readTokenUsage } from './surfercloud-usage.ts';

export { SURFER_MAX_SLICE_S, usageSlices, gridOf, widthOf, type UsageSlice } from './surfercloud-usage.ts';

export const surfercloudAdapter: ProviderAdapter = {
  descriptor: {
    id: 'surfercloud',
    displayName: 'SurferCloud UModelVerse',
    defaultBaseUrl: 'https://api.surfercloud.com',
    credentialFields: [
      // The public key only identifies the pair, but with the private key it signs requests: kept secret too.
      { name: 'publicKey', label: 'Public key', secret: true, required: true, help: 'From the console: account → API keys (the signing pair, not the model API key).' },
      { name: 'privateKey', label: 'Private key', secret: true, required: true, help: 'The private half of the same signing pair.' },
      {
        name: 'inferenceKey',
        label: 'Inference API key',
        secret: true,
        required: false,
        help: 'Optional, for the metering proxy: a UModelVerse model API key that Spendbar inserts for the proxy token (the signing pair never goes there).',
      },
    ],
    optionFields: [
      { name: 'projectId', label: 'Project id', secret: false, required: false, type: 'text', placeholder: 'org-…', help: 'Required for sub-accounts.' },
      { name: 'keyId', label: 'API key id', secret: false, required: true, type: 'text', help: 'The id of the UModelVerse API key whose usage to read.' },
      {
        name: 'models',
        label: 'Models',
        secret: false,
        required: false,
        type: 'list',
        placeholder: 'deepseek-ai/DeepSeek-V3, …',
        help: 'Model names to read; empty reads all models (or, where the region asks for one model per request, the models the key is granted).',
      },
      {
        name: 'region',
        label: 'Region',
        secret: false,
        required: false,
        type: 'text',
        placeholder: 'cn-wlcb',
        help: 'Needed only where the token-usage report is gone and usage comes from the request logs: the region of the API key.',
      },
      { name: 'zone', label: 'Zone', secret: false, required: false, type: 'text', placeholder: 'cn-wlcb-01', help: 'With Region: the zone of the API key.' },
      {
        name: 'inferenceBaseUrl',
        label: 'Inference base URL',
        secret: false,
        required: false,
        type: 'text',
        placeholder: 'https://…/v1',
        help: "Optional, for the metering proxy: UModelVerse's OpenAI-compatible inference endpoint (the base URL your SDK uses, ending in /v1). Without it SurferCloud calls cannot be metered.",
      },
    ],
    reports: ['input and output tokens and requests per model and key, by day or hour as the region buckets them', 'cached tokens (request logs)'],
    consoleUrl: 'https://console.surfercloud.com',
  },
  fetch: fetchSurferCloud,
};

async function fetchSurferCloud(ctx: FetchContext): Promise<ProviderReading> {
  const settings = readSettings(ctx);
  const reading = emptyReading();
  try {
    reading.usage = await readUsage(ctx, settings, reading.notes);
  } catch (err) {
    throw redacted(err, [settings.publicKey, settings.privateKey]);
  }
  reading.notes.unshift(`${settings.name} reports tokens, not money.`);
  return reading;
}

async function readUsage(ctx: FetchContext, s: SurferSettings, notes: string[]): Promise<ProviderReading['usage']> {
  try {
    return await readTokenUsage(ctx, s, notes);
  } catch (err) {
    if (err instanceof ActionMissing) return readRequestLogs(ctx, s, notes);
    if (!(err instanceof ModelRequired) || s.models.length > 0) throw err;
    // The region wants one request per model, and the account names none: the key's grants say which.
    let models: string[] | null = null;
    try {
      models = await grantedModels(ctx, s);
    } catch (listErr) {
      if (!(listErr instanceof ProviderError) || listErr.kind === 'auth') throw listErr;
    }
    if (models) {
      notes.push(`${s.name} reports usage one model at a time here; read the ${models.length} model(s) this key is granted. List models in the account options to choose.`);
      return readTokenUsage(ctx, { ...s, models }, notes);
    }
    if (s.region && s.zone) return readRequestLogs(ctx, s, notes);
    throw err;
  }
}

function readSettings(ctx: FetchContext): SurferSettings {
  const url = ctx.baseUrl || surfercloudAdapter.descriptor.defaultBaseUrl;
  const name = /ucloud/i.test(safeHost(url)) ? 'UCloud' : 'SurferCloud';
  const publicKey = ctx.credentials.publicKey?.trim() ?? '';
  const privateKey = ctx.credentials.privateKey?.trim() ?? '';
  if (!publicKey || !privateKey) {
    throw new ProviderError('config', `Enter both halves of the ${name} API signing pair (public key and private key) from the console's API keys page.`);
  }
  const options = ctx.account.options ?? {};
  const keyId = text(options.keyId);
  if (!keyId) throw new ProviderError('config', `Set the id of the UModelVerse API key whose usage to read (option keyId); it is listed next to the key in the ${name} console.`);
  const models = [...new Set(list(options.models))];
  return { name, url, publicKey, privateKey, keyId, projectId: text(options.projectId), models, region: text(options.region), zone: text(options.zone) };
}

function text(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

function list(v: string | string[] | undefined): string[] {
  const items = Array.isArray(v) ? v : (v ?? '').split(',');
  return items.map((s) => s.trim()).filter(Boolean);
}

function redacted(err: unknown, secrets: string[]): unknown {
  if (!(err instanceof ProviderError)) return err;
  const message = redact(err.message, secrets);
  if (message === err.message) return err;
  return new ProviderError(err.kind, message, { cause: err, status: err.status, retryAfterMs: err.retryAfterMs });
}

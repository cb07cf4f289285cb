// The account form's values ↔ AccountInput, as pure functions. Secrets are write-only: the form never holds a
// stored value, and an empty secret field on edit means "keep what is stored".
import type { AccountInput, FieldDescriptor, ProviderDescriptor } from '../../shared/api.ts';
import { DEFAULT_POLL_INTERVAL_SEC, MIN_POLL_INTERVAL_SEC, type Account, type ProviderId } from '../../shared/domain.ts';

export interface FormValues {
  provider: ProviderId;
  label: string;
  baseUrl: string;
  pollIntervalSec: string;
  options: Record<string, string>;
  credentials: Record<string, string>;
}

export function initialValues(provider: ProviderDescriptor, account?: Account): FormValues {
  const options: Record<string, string> = {};
  for (const f of provider.optionFields) {
    const v = account?.options?.[f.name];
    options[f.name] = Array.isArray(v) ? v.join(', ') : (v ?? '');
  }
  return {
    provider: provider.id,
    label: account?.label ?? '',
    baseUrl: account?.baseUrl ?? '',
    pollIntervalSec: String(account?.pollIntervalSec ?? DEFAULT_POLL_INTERVAL_SEC),
    options,
    // Never prefilled: the UI cannot read a stored secret back, by design.
    credentials: Object.fromEntries(provider.credentialFields.map((f) => [f.name, ''])),
  };
}

export class FormError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

function optionValue(field: FieldDescriptor, raw: string): string | string[] | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  if (field.type === 'list') {
    const items = text.split(',').map((s) => s.trim()).filter(Boolean);
    return items.length ? items : undefined;
  }
  return text;
}

/** Checks what the browser can check and builds the input; the core validates again and runs the real test. */
export function toAccountInput(values: FormValues, provider: ProviderDescriptor, account?: Account): AccountInput {
  const label = values.label.trim();
  if (!label) throw new FormError('label', 'Give the account a name, e.g. "OpenRouter personal".');
  const interval = Number(values.pollIntervalSec);
  if (!Number.isInteger(interval) || interval < MIN_POLL_INTERVAL_SEC) {
    throw new FormError('pollIntervalSec', `Poll every ${MIN_POLL_INTERVAL_SEC} seconds or more (whole seconds).`);
  }
  const baseUrl = values.baseUrl.trim();
  if (baseUrl && !/^https?:\/\/\S+$/i.test(baseUrl)) throw new FormError('baseUrl', 'The base URL starts with http:// or https://.');

  const credentials: Record<string, string> = {};
  for (const f of provider.credentialFields) {
    const v = (values.credentials[f.name] ?? '').trim();
    if (v) credentials[f.name] = v;
    else if (f.required && !account?.credentials?.[f.name]?.set) throw new FormError(f.name, `${f.label} is required.`);
  }
  const options: Record<string, string | string[]> = {};
  for (const f of provider.optionFields) {
    const v = optionValue(f, values.options[f.name] ?? '');
    if (v !== undefined) options[f.name] = v;
    else if (f.required) throw new FormError(f.name, `${f.label} is required.`);
  }

  const input: AccountInput = { provider: provider.id, label, pollIntervalSec: interval };
  if (account) input.id = account.id;
  if (baseUrl) input.baseUrl = baseUrl;
  if (Object.keys(options).length) input.options = options;
  if (Object.keys(credentials).length) input.credentials = credentials;
  return input;
}

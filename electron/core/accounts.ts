// The account book: accounts from the headless config file (read-only) and from the settings store (editable),
// with their credentials resolved from the secret store. Secrets leave this module only towards adapters.
import type { AccountInput } from '../../shared/api.ts';
import type { Account, CredentialHint, PollError } from '../../shared/domain.ts';
import { DEFAULT_POLL_INTERVAL_SEC } from '../../shared/domain.ts';
import { accountInputSchema, formatForForm, newAccountIdSchema, RESERVED_ACCOUNT_IDS } from '../../shared/schemas.ts';
import { maskSecret } from './errors.ts';
import { MAX_ACCOUNTS } from './limits.ts';
import { secretRef, type SecretStore, type SettingsStore } from './ports.ts';
import { getDescriptor } from './providers/registry.ts';
import type { ConfigAccount } from './settings/config-account.ts';

export type { ConfigAccount };

export class AccountInputError extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'AccountInputError';
    this.field = field;
  }
}

/** An account ready to poll or save: the public record plus the secrets it needs. */
export interface PreparedAccount {
  account: Account;
  credentials: Record<string, string>;
  /** Only the secrets this input changes (to write to the secret store on save). */
  changedSecrets: Record<string, string>;
}

export class AccountBook {
  private readonly settings: SettingsStore;
  private readonly secrets: SecretStore;
  private readonly config: ConfigAccount[];
  private readonly configById: Map<string, ConfigAccount>;
  /**
   * The list, by id, and each settings account's credentials: read once and kept until settings change, so a poll
   * costs the same at a thousand accounts as at one (reading settings re-parses and re-validates the file).
   */
  private cache: { list: Account[]; byId: Map<string, Account>; credentials: Map<string, Record<string, string>> } | null = null;

  constructor(opts: { settings: SettingsStore; secrets: SecretStore; configAccounts?: ConfigAccount[] }) {
    this.settings = opts.settings;
    this.secrets = opts.secrets;
    this.config = opts.configAccounts ?? [];
    this.configById = new Map(this.config.map((c) => [c.account.id, c]));
    opts.settings.onChange(() => this.invalidate());
  }

  /** Forget what was read (settings or secrets changed behind the book's back). */
  invalidate(): void {
    this.cache = null;
  }

  private read(): NonNullable<AccountBook['cache']> {
    if (this.cache) return this.cache;
    const credentials = new Map<string, Record<string, string>>();
    const fromConfig = this.config.map((c) => ({ ...c.account, source: 'config' as const }));
    const fromSettings = this.settings
      .get()
      .accounts.filter((a) => !this.configById.has(a.id))
      .map((a) => {
        const creds = this.storedCredentials(a);
        credentials.set(a.id, creds);
        return { ...a, source: 'settings' as const, credentials: hintsFor(credentialNames(a), creds) };
      });
    const list = [...fromConfig, ...fromSettings];
    this.cache = { list, byId: new Map(list.map((a) => [a.id, a])), credentials };
    return this.cache;
  }

  /** Every account, config-file ones first, each with credential hints and never a secret. */
  list(): Account[] {
    return [...this.read().list];
  }

  get(id: string): Account | undefined {
    return this.read().byId.get(id);
  }

  get size(): number {
    return this.read().list.length;
  }

  credentialsFor(id: string): Record<string, string> {
    const c = this.configById.get(id);
    if (c) return c.credentials;
    return { ...(this.read().credentials.get(id) ?? {}) };
  }

  private storedCredentials(account: Account): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of credentialNames(account)) {
      const v = this.secrets.get(secretRef(account.id, name));
      if (v) out[name] = v;
    }
    return out;
  }

  /** A problem found while loading the config file, reported on the account instead of polling it. */
  configError(id: string): PollError | undefined {
    return this.configById.get(id)?.error;
  }

  /** Every secret value known, so messages can be scrubbed of them. */
  allSecrets(): string[] {
    const c = this.read();
    return [...this.config.flatMap((x) => Object.values(x.credentials)), ...[...c.credentials.values()].flatMap((v) => Object.values(v))];
  }

  /** Validates a form's input into an account plus credentials, without saving anything. */
  prepare(input: unknown, existingId?: string): PreparedAccount {
    const parsed = accountInputSchema.safeParse(input);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new AccountInputError(formatForForm(parsed.error), first?.path.join('.'));
    }
    const data = parsed.data as AccountInput;
    const descriptor = getDescriptor(data.provider);
    if (!descriptor) throw new AccountInputError(`Unknown provider '${data.provider}'.`, 'provider');
    if (!existingId && data.id !== undefined) {
      const fresh = newAccountIdSchema.safeParse(data.id);
      if (!fresh.success) throw new AccountInputError(fresh.error.issues[0]?.message ?? 'That account id cannot be used.', 'id');
    }
    const id = existingId ?? data.id ?? this.freshId(data.label || descriptor.id);
    if (existingId && data.id && data.id !== existingId) throw new AccountInputError('An account id cannot be changed.', 'id');
    if (this.configById.has(id)) {
      throw new AccountInputError(`Account '${id}' comes from the config file; edit the file to change it.`, 'id');
    }
    const existing = this.settings.get().accounts.find((a) => a.id === id);
    if (!existingId && data.id && existing) throw new AccountInputError(`An account with id '${id}' already exists.`, 'id');

    const stored = existing ? this.credentialsFor(id) : {};
    const changedSecrets: Record<string, string> = {};
    for (const [name, value] of Object.entries(data.credentials ?? {})) {
      if (!descriptor.credentialFields.some((f) => f.name === name)) throw new AccountInputError(`${descriptor.displayName} has no credential '${name}'.`, `credentials.${name}`);
      if (value.trim()) changedSecrets[name] = value.trim();
    }
    const credentials = { ...stored, ...changedSecrets };
    for (const f of descriptor.credentialFields) {
      if (f.required && !credentials[f.name]) throw new AccountInputError(`${f.label} is required for ${descriptor.displayName}.`, `credentials.${f.name}`);
    }
    const options: Record<string, string | string[]> = {};
    for (const f of descriptor.optionFields) {
      const v = data.options?.[f.name];
      const value = f.type === 'list' ? toList(v) : typeof v === 'string' ? v.trim() : Array.isArray(v) ? v.join(',') : undefined;
      const empty = value === undefined || value.length === 0;
      if (f.required && empty) throw new AccountInputError(`${f.label} is required for ${descriptor.displayName}.`, `options.${f.name}`);
      if (!empty) options[f.name] = value;
    }
    const account: Account = {
      id,
      provider: data.provider,
      label: data.label.trim() || descriptor.displayName,
      pollIntervalSec: data.pollIntervalSec ?? existing?.pollIntervalSec ?? DEFAULT_POLL_INTERVAL_SEC,
      source: 'settings',
    };
    const baseUrl = data.baseUrl?.trim();
    if (baseUrl) account.baseUrl = baseUrl.replace(/\/+$/, '');
    if (Object.keys(options).length) account.options = options;
    account.credentials = hintsFor(descriptor.credentialFields.map((f) => f.name), credentials);
    return { account, credentials, changedSecrets };
  }

  /** Saves a prepared account: secrets to the secret store, the rest to settings. */
  save(prepared: PreparedAccount): Account {
    const current = this.settings.get();
    const isNew = !current.accounts.some((a) => a.id === prepared.account.id);
    if (isNew && this.size >= MAX_ACCOUNTS) {
      throw new AccountInputError(`Spendbar watches at most ${MAX_ACCOUNTS} accounts; remove one before adding another.`);
    }
    for (const [name, value] of Object.entries(prepared.changedSecrets)) this.secrets.set(secretRef(prepared.account.id, name), value);
    this.invalidate();
    const stored: Account = { ...prepared.account };
    delete stored.source;
    const accounts = current.accounts.some((a) => a.id === stored.id)
      ? current.accounts.map((a) => (a.id === stored.id ? stored : a))
      : [...current.accounts, stored];
    this.settings.set({ ...current, accounts });
    return { ...prepared.account };
  }

  remove(id: string): void {
    if (this.configById.has(id)) throw new AccountInputError(`Account '${id}' comes from the config file; remove it there.`, 'id');
    const current = this.settings.get();
    const account = current.accounts.find((a) => a.id === id);
    if (!account) throw new AccountInputError(`No account '${id}'.`, 'id');
    for (const f of getDescriptor(account.provider)?.credentialFields ?? []) this.secrets.delete(secretRef(id, f.name));
    this.invalidate();
    this.settings.set({ ...current, accounts: current.accounts.filter((a) => a.id !== id) });
  }

  private freshId(label: string): string {
    const base = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'account';
    const taken = new Set<string>([...this.list().map((a) => a.id), ...RESERVED_ACCOUNT_IDS]);
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
  }
}

function credentialNames(account: Account): string[] {
  return getDescriptor(account.provider)?.credentialFields.map((f) => f.name) ?? [];
}

function hintsFor(names: string[], credentials: Record<string, string>): Record<string, CredentialHint> {
  const out: Record<string, CredentialHint> = {};
  for (const name of names) {
    const v = credentials[name];
    out[name] = v ? { set: true, masked: maskSecret(v), from: 'store' } : { set: false, from: 'store' };
  }
  return out;
}

function toList(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const list = (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
  return list;
}

// One place that decides whether a Settings value may be kept: the schema, plus the rule that no secret
// ever reaches a settings file, whatever field it was put in.
import { formatIssues, firstIssuePath, formatPath, settingsSchema } from '../../../shared/schemas.ts';
import { DEFAULT_PREFERENCES, type Settings } from '../ports.ts';
import { SettingsError } from './errors.ts';

export function defaultSettings(): Settings {
  return { accounts: [], alerts: [], preferences: structuredClone(DEFAULT_PREFERENCES) };
}

const SECRET_FIELD = /^(api[-_]?key|private[-_]?key|public[-_]?key)$|(secret|password|token)$/i;
// The shape of real provider keys (OpenRouter, DeepSeek, New API): long enough that a masked hint never matches.
const API_KEY_SHAPE = /sk-[A-Za-z0-9_-]{20,}/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Finds a secret in a settings value before the schema does, so the message says what went wrong. */
function findSecret(value: unknown, path: (string | number)[] = []): { path: string; message: string } | undefined {
  if (typeof value === 'string') {
    return API_KEY_SHAPE.test(value)
      ? { path: formatPath(path), message: 'this looks like an API key; secrets are never saved in settings' }
      : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findSecret(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const inAccount = path.length === 2 && path[0] === 'accounts';
  const inCredentials = path.length === 3 && path[0] === 'accounts' && path[2] === 'credentials';
  for (const [key, child] of Object.entries(value)) {
    const here = [...path, key];
    if (inAccount && SECRET_FIELD.test(key)) {
      return { path: formatPath(here), message: `'${key}' is a secret: it goes in the secret store, never in settings` };
    }
    if (inCredentials && typeof child === 'string') {
      return {
        path: formatPath(here),
        message: 'a credential value cannot be saved in settings; only its hint ({ set, masked, from }) is kept',
      };
    }
    const found = findSecret(child, here);
    if (found) return found;
  }
  return undefined;
}

/** Validates a complete Settings value; throws SettingsError naming the first bad field. */
export function validateSettings(next: unknown): Settings {
  const secret = findSecret(next);
  if (secret) throw new SettingsError(`${secret.path}: ${secret.message}`, secret.path);
  const parsed = settingsSchema.safeParse(next);
  if (!parsed.success) throw new SettingsError(formatIssues(parsed.error), firstIssuePath(parsed.error));
  return parsed.data as Settings;
}

/**
 * Reads settings as found on disk: sections an older or hand-written file lacks are filled from the
 * defaults, then the whole is validated like a write.
 */
export function settingsFromDisk(raw: unknown): Settings {
  if (!isRecord(raw)) throw new SettingsError('The settings file must hold a JSON object');
  const defaults = structuredClone(DEFAULT_PREFERENCES);
  const prefs = raw.preferences;
  return validateSettings({
    ...raw,
    accounts: raw.accounts ?? [],
    alerts: raw.alerts ?? [],
    preferences: prefs === undefined ? defaults : isRecord(prefs) ? { ...defaults, ...prefs } : prefs,
  });
}

// The settings store under plain Node (`spendbar serve`): a JSON file written atomically by `conf`, validated
// with the shared schema on every read and write. It holds accounts without their secrets, alert rules and
// preferences; credentials live in a SecretStore.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import type Conf from 'conf';
import type { Settings, SettingsStore } from '../ports.ts';
import { SettingsError } from './errors.ts';
import { log } from '../log.ts';
import { defaultSettings, settingsFromDisk, validateSettings } from './validate.ts';

export interface ConfSettingsOptions {
  /** Told when the file on disk could not be used and was set aside; the log's warning when absent. */
  onProblem?: (message: string) => void;
  now?: () => number;
}

export interface ConfSettingsStore extends SettingsStore {
  /** Full path of settings.json. */
  readonly path: string;
  /** Problems found with the file so far, oldest first (also passed to onProblem). */
  readonly problems: readonly string[];
}

type Listener = (settings: Settings) => void;

function notify(listeners: Set<Listener>, settings: Settings): void {
  for (const listener of [...listeners]) {
    try {
      listener(structuredClone(settings));
    } catch (err) {
      // One broken listener must not stop the others from hearing about the change.
      log.error('spendbar: a settings listener failed:', err);
    }
  }
}

function invalidCopyName(dir: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  let candidate = join(dir, `settings.invalid-${stamp}.json`);
  for (let n = 2; existsSync(candidate); n++) candidate = join(dir, `settings.invalid-${stamp}-${n}.json`);
  return candidate;
}

/** A file that is there but wrong, as opposed to one that cannot be read right now (permissions, I/O). */
function isInvalidContent(err: unknown): boolean {
  return err instanceof SettingsError || err instanceof SyntaxError;
}

/** Why a settings file cannot be used, in words that never quote the file's content. */
function describeReadError(err: unknown): string {
  if (err instanceof SettingsError) return err.message.replace(/\n/g, '; ');
  if (err instanceof SyntaxError) return 'it is not valid JSON';
  return err instanceof Error ? err.message : String(err);
}

export function createConfSettingsStore(dir: string, opts: ConfSettingsOptions = {}): ConfSettingsStore {
  const report = opts.onProblem ?? ((message: string) => log.warn(message));
  const now = opts.now ?? Date.now;
  const file = join(dir, 'settings.json');
  const problems: string[] = [];

  // A file a person edited by hand is worth keeping even when it is wrong: move it aside so they can fix
  // it, and carry on with defaults rather than refusing to start or silently throwing their work away.
  const setAside = (err: unknown): void => {
    if (!existsSync(file)) return;
    const copy = invalidCopyName(dir, now());
    renameSync(file, copy);
    const message =
      `${file} could not be used (${describeReadError(err)}). ` +
      `It was kept as ${basename(copy)}; Spendbar started from default settings.`;
    problems.push(message);
    report(message);
  };

  // conf throws from its constructor on a file that is not JSON, so look before handing it the file.
  if (existsSync(file)) {
    try {
      settingsFromDisk(JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')));
    } catch (err) {
      if (!isInvalidContent(err)) throw err;
      setAside(err);
    }
  }

  // conf (with its schema validator) costs ~15 MB of memory and is needed only to write: it loads with the first
  // write, synchronously (require of an ES module), since set() is synchronous. Reads parse the file as conf would.
  let conf: Conf<Record<string, unknown>> | null = null;
  const writer = (): Conf<Record<string, unknown>> => {
    if (conf) return conf;
    const { default: ConfClass } = createRequire(import.meta.url)('conf') as typeof import('conf');
    conf = new ConfClass<Record<string, unknown>>({
      cwd: dir,
      configName: 'settings',
      projectName: 'spendbar',
      clearInvalidConfig: false,
      accessPropertiesByDotNotation: false,
    });
    return conf;
  };
  const onDisk = (): unknown => {
    try {
      return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    } catch (err) {
      // conf's own reading: no file yet is an empty store.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
  };
  // The first start writes the defaults itself (to a temporary file, then renamed, as conf does) so that even a
  // fresh `spendbar serve` never loads conf unless settings change.
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(defaultSettings(), undefined, '\t')}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }

  const listeners = new Set<Listener>();

  const read = (): Settings => {
    try {
      return settingsFromDisk(onDisk());
    } catch (err) {
      if (!isInvalidContent(err)) throw err;
      // Edited by hand while we were running, and wrong: same treatment as at start-up.
      setAside(err);
      const fresh = defaultSettings();
      writer().store = { ...fresh };
      return fresh;
    }
  };

  return {
    path: file,
    get problems() {
      return [...problems];
    },
    get: read,
    set(next: Settings): void {
      // Validation happens before conf is touched, so a rejected value leaves the file as it was.
      const valid = validateSettings(next);
      // A file broken by hand since the last read is set aside first, not silently written over.
      read();
      writer().store = { ...valid };
      notify(listeners, valid);
    },
    onChange(listener: Listener): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** Settings kept in memory, validated exactly like the file store: for tests and the demo. */
export function createMemorySettingsStore(initial: Partial<Settings> = {}): SettingsStore {
  let current = settingsFromDisk(structuredClone(initial));
  const listeners = new Set<Listener>();
  return {
    get: () => structuredClone(current),
    set(next: Settings): void {
      current = validateSettings(structuredClone(next));
      notify(listeners, current);
    },
    onChange(listener: Listener): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

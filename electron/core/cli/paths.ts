// Where headless Spendbar keeps its data and finds its config, unless told otherwise.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SPENDBAR_DATA_DIR) return resolve(env.SPENDBAR_DATA_DIR);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Spendbar');
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Spendbar');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'spendbar');
}

/** --config, else $SPENDBAR_CONFIG, else <data dir>/config.json when it exists. */
export function findConfigFile(explicit: string | undefined, dataDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit) return resolve(explicit);
  if (env.SPENDBAR_CONFIG) return resolve(env.SPENDBAR_CONFIG);
  const inData = join(dataDir, 'config.json');
  return existsSync(inData) ? inData : undefined;
}

/** The package root (holds package.json and dist/renderer), found upwards from this file or from its bundle. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'spendbar') return dir;
    } catch {
      /* no package.json here: keep going up */
    }
    if (dirname(dir) === dir) return start;
  }
}

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

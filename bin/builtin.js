// Node's built-in modules for the `spendbar` command's own files. Not ES `import`s: importing `node:fs` builds its
// whole namespace, `fs.promises` included, which loads readline and the REPL's history code (and `node:child_process`
// likewise), resident for the life of a `serve` that never uses them (~1.3 MB). process.getBuiltinModule loads only
// the module asked for; on a Node too old to have it (< 20.16), `require` does, so the "Node is too old" message
// still prints.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The built-in module `name` ("node:fs"). */
export function builtin(name) {
  return typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule(name) : require(name);
}

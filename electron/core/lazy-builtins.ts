// Node's built-in modules that only some work needs, loaded at that work's first use. An `import` would load them
// when `spendbar serve` starts, to stay resident in a process that mostly waits between polls: node:crypto brings
// 18 modules of its own (~1.9 MB: hashing, ciphers, keys, X.509) and node:v8 six (~0.3 MB), while serve needs crypto
// only for a metered request, a UCloud signature or an encrypted settings secret, and V8's flags only when the
// optimizing compilers are switched on. `process.getBuiltinModule` loads only the module asked for (a map lookup
// once it is loaded). eslint refuses a value import of these in electron/core; type imports are free.

/** node:crypto. */
export const nodeCrypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

/** node:v8. */
export const nodeV8 = (): typeof import('node:v8') => process.getBuiltinModule('node:v8');

/** node:zlib (gzip of /metrics, decoding compressed provider replies). */
export const nodeZlib = (): typeof import('node:zlib') => process.getBuiltinModule('node:zlib');

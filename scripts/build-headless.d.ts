import type { Plugin } from 'vite';

/** Vite plugin: Node built-ins through process.getBuiltinModule, each export a pure read. */
export function builtinsWithoutImport(): Plugin;
export function buildHeadless(): Promise<void>;

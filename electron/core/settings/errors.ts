// Errors of the settings layer. Each names what is wrong and where (a field path or a file), and never
// carries a secret value.

/** Settings that fail validation; `field` is the path of the first problem ("accounts[1].baseUrl"). */
export class SettingsError extends Error {
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.name = 'SettingsError';
    this.field = field;
  }
}

/** The secret store cannot be read or written; `file` is the file at fault. */
export class SecretStoreError extends Error {
  readonly file: string;

  constructor(message: string, file: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SecretStoreError';
    this.file = file;
  }
}

/** The headless config file as a whole cannot be used (missing, not JSON, wrong shape). */
export class ConfigFileError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(message: string, file: string, pos: { line?: number; column?: number } = {}) {
    super(message);
    this.name = 'ConfigFileError';
    this.file = file;
    this.line = pos.line;
    this.column = pos.column;
  }
}

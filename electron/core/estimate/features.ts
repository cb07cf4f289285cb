// Character classes of a text, counted in one pass without building any string: the inputs of the estimate for
// model families whose tokenizer Spendbar does not ship (see heuristic.ts). Tokenizers split text into pieces much
// like this (words, digit runs, punctuation runs, whitespace runs), and each family spends a fairly steady number of
// tokens per piece or per character of each class; heuristic.ts holds those rates.

export interface TextFeatures {
  /** Runs of Latin letters (ASCII and accented), i.e. words. */
  words: number;
  /** Letters in those runs. */
  letters: number;
  /** Letters beyond the 8th of each word (long identifiers and rare words split into several tokens). */
  longLetters: number;
  /** Accented Latin letters (é, ß, ł, ữ …): rarer in vocabularies trained mostly on English. */
  accented: number;
  digits: number;
  /** ASCII punctuation and symbols. */
  punct: number;
  /** Whitespace runs other than one plain space before a word (newlines, indentation, double spaces). */
  spaceRuns: number;
  /** Han characters, CJK and full-width punctuation. */
  cjk: number;
  /** Runs of CJK characters: a long run of prose merges into multi-character tokens more than short runs do. */
  cjkRuns: number;
  kana: number;
  hangul: number;
  /** Runs of letters of other alphabets (Cyrillic, Greek, Arabic, Hebrew, Indic, Thai, …) and their letters. */
  otherWords: number;
  otherLetters: number;
  /** UTF-8 bytes of everything else (emoji, rare symbols, control characters). */
  otherBytes: number;
}

export const FEATURE_NAMES = ['words', 'letters', 'longLetters', 'accented', 'digits', 'punct', 'spaceRuns', 'cjk', 'cjkRuns', 'kana', 'hangul', 'otherWords', 'otherLetters', 'otherBytes'] as const satisfies readonly (keyof TextFeatures)[];

export function emptyFeatures(): TextFeatures {
  return { words: 0, letters: 0, longLetters: 0, accented: 0, digits: 0, punct: 0, spaceRuns: 0, cjk: 0, cjkRuns: 0, kana: 0, hangul: 0, otherWords: 0, otherLetters: 0, otherBytes: 0 };
}

export function addFeatures(into: TextFeatures, more: TextFeatures): TextFeatures {
  for (const k of FEATURE_NAMES) into[k] += more[k];
  return into;
}

// Classes, in the order the scanner tests them.
const LATIN = 1;
const DIGIT = 2;
const PUNCT = 3;
const SPACE = 4;
const CJK = 5;
const KANA = 6;
const HANGUL = 7;
const OTHER_LETTER = 8;
const OTHER = 9;

function classOf(c: number): number {
  if (c < 0x80) {
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) return LATIN;
    if (c >= 0x30 && c <= 0x39) return DIGIT;
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) return SPACE;
    if (c < 0x20 || c === 0x7f) return OTHER;
    return PUNCT;
  }
  if ((c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x1e00 && c <= 0x1eff)) return LATIN;
  if (c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a)) return SPACE;
  if ((c >= 0x80 && c < 0xc0) || (c >= 0x2010 && c <= 0x205f)) return PUNCT;
  if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x3ffff)) return CJK;
  if ((c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef)) return CJK;
  if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x31f0 && c <= 0x31ff)) return KANA;
  if ((c >= 0xac00 && c <= 0xd7af) || (c >= 0x1100 && c <= 0x11ff) || (c >= 0x3130 && c <= 0x318f)) return HANGUL;
  // Greek, Cyrillic, Armenian, Hebrew, Arabic, Indic scripts, Thai, Georgian, … up to the general punctuation block.
  if (c >= 0x370 && c < 0x2000) return OTHER_LETTER;
  return OTHER;
}

function utf8Bytes(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/** Counts the classes of `text`, adding to `into` (so long inputs can be counted part by part). */
export function textFeatures(text: string, into: TextFeatures = emptyFeatures()): TextFeatures {
  const f = into;
  let run = 0; // class of the current run
  let runLength = 0;
  let prevSpace = false; // the previous character was one plain space that a following word absorbs
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    const k = classOf(c);
    if (k === LATIN) {
      if (run !== LATIN) {
        f.words++;
        runLength = 0;
      }
      f.letters++;
      if (c >= 0x80) f.accented++;
      if (++runLength > 8) f.longLetters++;
    } else if (k === DIGIT) f.digits++;
    else if (k === PUNCT) f.punct++;
    else if (k === SPACE) {
      // One space before a word is part of the word's token; anything else is a piece of its own.
      if (run !== SPACE) {
        if (c === 0x20) prevSpace = true;
        else f.spaceRuns++;
      } else if (prevSpace) {
        prevSpace = false;
        f.spaceRuns++;
      }
    } else if (k === CJK) {
      if (run !== CJK) f.cjkRuns++;
      f.cjk++;
    }
    else if (k === KANA) f.kana++;
    else if (k === HANGUL) f.hangul++;
    else if (k === OTHER_LETTER) {
      if (run !== OTHER_LETTER) f.otherWords++;
      f.otherLetters++;
    } else f.otherBytes += utf8Bytes(c);
    if (k !== SPACE) prevSpace = false;
    run = k;
  }
  return f;
}

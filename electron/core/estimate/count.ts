// Input tokens of a prompt for one model family: its text (exact for OpenAI encodings, the character-class
// estimate otherwise) plus the chat template's per-message overhead. Work is shared: the character classes are
// counted once for every estimated family, each encoding runs once however many of its models are compared.
import { emptyFeatures, addFeatures, textFeatures, type TextFeatures } from './features.ts';
import { FAMILIES, messageOverhead, type Encoding, type Family, type FamilyId } from './families.ts';
import { estimateTokens, REFERENCE_OF } from './heuristic.ts';
import { counter, TOKENIZER_SOURCE } from './tokenizer.ts';
import type { Prompt } from './prompt.ts';

export interface Count {
  family: Family;
  method: 'exact' | 'estimated';
  /** How the count was made, in words, for the output. */
  methodNote: string;
  textTokens: number;
  overheadTokens: number;
  inputTokens: number;
}

export class PromptCounter {
  private readonly prompt: Prompt;
  private features: TextFeatures | null = null;
  private readonly exact = new Map<Encoding, Promise<number>>();
  private readonly counts = new Map<FamilyId, Promise<Count>>();

  constructor(prompt: Prompt) {
    this.prompt = prompt;
  }

  private allFeatures(): TextFeatures {
    if (!this.features) {
      const f = emptyFeatures();
      for (const m of this.prompt.messages) for (const t of m.texts) addFeatures(f, textFeatures(t));
      this.features = f;
    }
    return this.features;
  }

  private exactTokens(encoding: Encoding): Promise<number> {
    let p = this.exact.get(encoding);
    if (!p) {
      p = counter(encoding).then((count) => {
        let n = 0;
        for (const m of this.prompt.messages) for (const t of m.texts) n += count(t);
        return n;
      });
      this.exact.set(encoding, p);
    }
    return p;
  }

  /** The count for one family (memoised). */
  count(family: Family): Promise<Count> {
    let p = this.counts.get(family.id);
    if (!p) {
      p = this.make(family);
      this.counts.set(family.id, p);
    }
    return p;
  }

  private async make(family: Family): Promise<Count> {
    const chat = this.prompt.format !== 'text';
    const overheadTokens = chat ? messageOverhead(family, this.prompt.messages) : 0;
    const names = this.prompt.messages.filter((m) => m.hasName).length;
    const perName = names && family.perName ? ` + ${family.perName} per name` : '';
    const overheadNote = chat ? `, plus ${overheadTokens} tokens of message overhead (${family.perMessage} per message${perName} + ${family.reply} for the reply)` : '';
    if (family.encoding) {
      const textTokens = await this.exactTokens(family.encoding);
      return {
        family,
        method: 'exact',
        methodNote: `exact: the ${family.encoding} encoding (vocabulary of ${TOKENIZER_SOURCE})${overheadNote}`,
        textTokens,
        overheadTokens,
        inputTokens: textTokens + overheadTokens,
      };
    }
    const rates = family.rates ?? 'generic';
    const textTokens = estimateTokens(this.allFeatures(), rates);
    return {
      family,
      method: 'estimated',
      methodNote: `estimated: character-class rates fitted to ${REFERENCE_OF[rates]}${overheadNote}`,
      textTokens,
      overheadTokens,
      inputTokens: textTokens + overheadTokens,
    };
  }
}

/** Counts one prompt for one family without sharing (the observed-ratio sampler's path). */
export function countFor(prompt: Prompt, familyId: FamilyId): Promise<Count> {
  return new PromptCounter(prompt).count(FAMILIES[familyId]);
}

// Which tokenizer a model name uses, how its tokens are counted, and what each chat message adds on top of its text.
//   exact      OpenAI models: the o200k_base or cl100k_base encoding itself (tokenizer.ts).
//   estimated  everyone else: the character-class estimate (heuristic.ts) with rates fitted to that family's
//              reference tokenizer; families without a public one use the "generic" rates.
// Message overhead (tokens a chat template wraps around each message, and around the reply it primes):
//   OpenAI     3 per message, +1 when it has a name, +3 for the reply: OpenAI's cookbook, "How to count tokens with
//              tiktoken" (num_tokens_from_messages, gpt-3.5-turbo-0613 and later, GPT-4, GPT-4o).
//   Qwen       ChatML: <|im_start|>role\n … <|im_end|>\n = 5 per message, +3 for "<|im_start|>assistant\n".
//   Gemini     Gemma's turn markers: <start_of_turn>role\n … <end_of_turn>\n = 5 per message, +3 for the reply.
//   DeepSeek   its chat template puts one role marker before each turn: 2 per message, +2 (BOS, assistant marker).
//   Claude     Anthropic publishes no figure (its count_tokens API is the exact way): Spendbar uses OpenAI's 3 per
//              message + 3, and marks the count estimated like every Claude count.
//   generic    4 per message + 3.

export type Encoding = 'o200k_base' | 'cl100k_base';

export type FamilyId = 'openai-o200k' | 'openai-cl100k' | 'claude' | 'gemini' | 'deepseek' | 'qwen' | 'generic';

export interface Family {
  id: FamilyId;
  label: string;
  /** Set for families counted exactly. */
  encoding?: Encoding;
  /** The heuristic's rate set (heuristic.ts) for estimated families. */
  rates?: 'claude' | 'gemini' | 'deepseek' | 'qwen' | 'generic';
  perMessage: number;
  perName: number;
  reply: number;
}

export const FAMILIES: Record<FamilyId, Family> = {
  'openai-o200k': { id: 'openai-o200k', label: 'OpenAI o200k_base', encoding: 'o200k_base', perMessage: 3, perName: 1, reply: 3 },
  'openai-cl100k': { id: 'openai-cl100k', label: 'OpenAI cl100k_base', encoding: 'cl100k_base', perMessage: 3, perName: 1, reply: 3 },
  claude: { id: 'claude', label: 'Claude', rates: 'claude', perMessage: 3, perName: 1, reply: 3 },
  gemini: { id: 'gemini', label: 'Gemini', rates: 'gemini', perMessage: 5, perName: 0, reply: 3 },
  deepseek: { id: 'deepseek', label: 'DeepSeek', rates: 'deepseek', perMessage: 2, perName: 0, reply: 2 },
  qwen: { id: 'qwen', label: 'Qwen', rates: 'qwen', perMessage: 5, perName: 0, reply: 3 },
  generic: { id: 'generic', label: 'other (generic)', rates: 'generic', perMessage: 4, perName: 0, reply: 3 },
};

// cl100k_base: GPT-4 (not 4o/4.1/4.5), GPT-3.5, the second and third generation embeddings.
const CL100K = /^(gpt-4(?![o.\d])|gpt-4-|gpt-3\.5|text-embedding-(ada-002|3-))/;
// o200k_base: GPT-4o, GPT-4.1, GPT-4.5, GPT-5, the o-series, gpt-oss, codex and computer-use models.
const O200K = /^(gpt-4o|chatgpt-4o|gpt-4\.[15]|gpt-5|gpt-oss|o[134](-|$)|codex-|computer-use|gpt-realtime|gpt-audio|ft:gpt-4o|ft:gpt-4\.1)/;

/** The family of a model name; vendor prefixes ("openai/", "anthropic/") and case are ignored. */
export function familyOf(model: string): Family {
  const name = model.trim().toLowerCase();
  const bare = name.slice(name.lastIndexOf('/') + 1);
  if (O200K.test(bare)) return FAMILIES['openai-o200k'];
  if (CL100K.test(bare)) return FAMILIES['openai-cl100k'];
  if (bare.startsWith('claude')) return FAMILIES.claude;
  if (bare.startsWith('gemini') || bare.startsWith('gemma')) return FAMILIES.gemini;
  if (bare.startsWith('deepseek')) return FAMILIES.deepseek;
  if (bare.startsWith('qwen') || bare.startsWith('qwq')) return FAMILIES.qwen;
  return FAMILIES.generic;
}

/** Whether the name itself says which family it is (an unrecognised name falls back to generic). */
export function recognised(model: string): boolean {
  return familyOf(model).id !== 'generic' || /^(openai|anthropic|google|deepseek|qwen|meta-llama|mistralai|x-ai|moonshotai)\//i.test(model.trim());
}

export interface MessageShape {
  hasName: boolean;
}

/** Tokens a chat template adds around `messages` (0 for plain text, which is sent as it is). */
export function messageOverhead(family: Family, messages: readonly MessageShape[]): number {
  if (messages.length === 0) return 0;
  let n = family.reply;
  for (const m of messages) n += family.perMessage + (m.hasName ? family.perName : 0);
  return n;
}

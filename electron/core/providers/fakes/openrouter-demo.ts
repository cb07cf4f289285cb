// The OpenRouter fake's demo month: per-model activity for completed UTC days, deterministic by date.
import type { OpenRouterFakeActivity } from './openrouter.ts';
import { seeded as mulberry32 } from './report.ts';

const DAY_MS = 86_400_000;
const ACTIVITY_DAYS = 30;

interface DemoModel {
  model: string;
  providers: string[];
  /** Relative traffic share. */
  weight: number;
  /** USD per million prompt / completion tokens. */
  inPrice: number;
  outPrice: number;
  /** Share of completion tokens spent reasoning (OpenRouter counts them inside completion_tokens). */
  reasoning: number;
}

const DEMO_MODELS: DemoModel[] = [
  { model: 'anthropic/claude-sonnet-4', providers: ['Anthropic', 'Google Vertex'], weight: 1, inPrice: 3, outPrice: 15, reasoning: 0 },
  { model: 'openai/gpt-4.1-mini', providers: ['OpenAI'], weight: 2.5, inPrice: 0.4, outPrice: 1.6, reasoning: 0 },
  { model: 'google/gemini-2.5-flash', providers: ['Google AI Studio'], weight: 1.5, inPrice: 0.3, outPrice: 2.5, reasoning: 0.3 },
  { model: 'deepseek/deepseek-r1', providers: ['DeepSeek', 'Together'], weight: 0.6, inPrice: 0.55, outPrice: 2.19, reasoning: 0.6 },
];

/**
 * A plausible month of per-model activity for the `days` completed UTC days before `now`: weekdays busier than
 * weekends, some models served by two providers (two rows for one date and model). Seeded by the date, so a
 * given day always has the same figures whatever `now` is.
 */
export function demoActivity(now: number, days = ACTIVITY_DAYS): OpenRouterFakeActivity[] {
  const todayIndex = Math.floor(now / DAY_MS);
  const rows: OpenRouterFakeActivity[] = [];
  for (let d = todayIndex - days; d < todayIndex; d++) {
    const weekday = new Date(d * DAY_MS).getUTCDay();
    const busy = weekday === 0 || weekday === 6 ? 0.3 : 1;
    DEMO_MODELS.forEach((m, mi) => {
      const rand = mulberry32(d * 131 + mi * 7919);
      const requests = Math.round(m.weight * busy * (30 + rand() * 50));
      m.providers.forEach((provider, pi) => {
        const share = m.providers.length === 1 ? 1 : pi === 0 ? 0.7 : 0.3;
        const n = Math.round(requests * share);
        if (n === 0) return;
        const prompt = Math.round(n * (800 + rand() * 2200));
        const completion = Math.round(n * (150 + rand() * 450));
        const reasoning = Math.round(completion * m.reasoning);
        rows.push({
          date: new Date(d * DAY_MS).toISOString().slice(0, 10),
          model: m.model,
          endpoint_id: `${m.model}@${provider.toLowerCase().replace(/\s+/g, '-')}`,
          provider_name: provider,
          usage: Math.round(((prompt * m.inPrice + completion * m.outPrice) / 1e6) * 1e6) / 1e6,
          requests: n,
          prompt_tokens: prompt,
          completion_tokens: completion,
          reasoning_tokens: reasoning,
        });
      });
    });
  }
  return rows;
}


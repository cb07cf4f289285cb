// The LLM fake's answer delay (the proxy bench's "provider that takes a while to answer"): every answer waits that
// long, and a queued `delay` fault still overrides it for one request.
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmFake, type LlmFake } from '../../../../electron/core/providers/fakes/llm-api.ts';

const BODY = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
let fake: LlmFake | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function timedPost(url: string): Promise<{ ms: number; json: { usage?: { prompt_tokens?: number } } }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
  const json = (await res.json()) as { usage?: { prompt_tokens?: number } };
  return { ms: performance.now() - t0, json };
}

describe('startLlmFake answerDelayMs', () => {
  it('holds every answer for the delay, and still answers in full', async () => {
    fake = await startLlmFake({ answerDelayMs: 120 });
    for (let i = 0; i < 2; i++) {
      const { ms, json } = await timedPost(fake.url);
      expect(ms).toBeGreaterThanOrEqual(115);
      expect(json.usage?.prompt_tokens).toBe(120);
    }
  });

  it('lets a queued delay fault set one answer’s delay instead', async () => {
    fake = await startLlmFake({ answerDelayMs: 2_000 });
    fake.fail({ kind: 'delay', ms: 10 });
    const { ms } = await timedPost(fake.url);
    expect(ms).toBeLessThan(1_500);
  });
});

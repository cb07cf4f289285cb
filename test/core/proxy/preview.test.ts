// The rule preview of the rate-limit rules replays the proxy's recorded rows (429s, and the rate-limit figures each
// request reported), and says plainly when nothing was recorded yet instead of answering "would not have fired".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
const reply = JSON.stringify({ id: 'c1', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' } }], usage: { prompt_tokens: 5, completion_tokens: 1 } });

describe('rate-limit rule preview', () => {
  it('says there is nothing to replay before any request went through the proxy', async () => {
    const p = await h.core.api.previewAlertRule({ type: 'rate-limited', account: 'oa', count: 2, minutes: 60 }, 30);
    expect(p.fires).toBe(0);
    expect(p.note).toMatch(/No requests went through the metering proxy in the last 30 days/);
    const q = await h.core.api.previewAlertRule({ type: 'ratelimit-headroom', account: '*', percent: 20 }, 30);
    expect(q.note).toMatch(/nothing to replay yet/);
  });

  it('rate-limited: counts the recorded 429s, firing once per run of them', async () => {
    h.openai.fail({ kind: 'status', status: 429, body: '{}', headers: { 'retry-after': '1' } }, 3);
    for (let i = 0; i < 3; i++) await call(h, '/oa/v1/chat/completions', chat);
    await call(h, '/oa/v1/chat/completions', chat);
    await h.settle();
    const two = await h.core.api.previewAlertRule({ type: 'rate-limited', account: 'oa', count: 2, minutes: 60 }, 30);
    expect(two).toMatchObject({ fires: 1 });
    expect(two.note).toBeUndefined();
    const rows = (await h.core.api.listRequests({ accountId: 'oa', status: 429 })).rows;
    // It fires at the second 429, the moment the count reached 2.
    expect(two.times).toEqual([rows.map((r) => r.time).sort((a, b) => a - b)[1]]);
    // More 429s than happened: it would not have fired, and that is a real answer (requests were recorded).
    const many = await h.core.api.previewAlertRule({ type: 'rate-limited', account: 'oa', count: 10, minutes: 60 }, 30);
    expect(many).toMatchObject({ fires: 0 });
    expect(many.note).toBeUndefined();
  });

  it('ratelimit-headroom: replays the headroom each request reported', async () => {
    const low = { 'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '25', 'x-ratelimit-reset-requests': '6m0s' };
    h.openai.fail({ kind: 'status', status: 200, body: reply, contentType: 'application/json', headers: low }, 1);
    await call(h, '/oa/v1/chat/completions', chat);
    await h.settle();
    // 25 of 500 left = 5 %.
    expect(await h.core.api.previewAlertRule({ type: 'ratelimit-headroom', account: 'oa', percent: 10 }, 30)).toMatchObject({ fires: 1 });
    expect(await h.core.api.previewAlertRule({ type: 'ratelimit-headroom', account: 'oa', percent: 4 }, 30)).toMatchObject({ fires: 0 });
  });

  it('ratelimit-headroom on an account whose provider sent no rate-limit headers says so', async () => {
    h.gateway.fail({ kind: 'status', status: 200, body: reply, contentType: 'application/json' }, 1);
    await call(h, '/gw/v1/chat/completions', chat);
    await h.settle();
    expect((await h.core.api.listRequests({ accountId: 'gw' })).rows.map((r) => r.rateLimit)).toEqual([null]);
    const p = await h.core.api.previewAlertRule({ type: 'ratelimit-headroom', account: 'gw', percent: 10 }, 30);
    expect(p).toMatchObject({ fires: 0 });
    expect(p.note).toMatch(/No proxied request in the last 30 days carried rate-limit headers/);
  });
});

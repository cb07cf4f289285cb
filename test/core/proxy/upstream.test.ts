// What Spendbar changes in a request: only the fields that make a provider report usage, only when unset.
import { describe, expect, it } from 'vitest';
import { isUsageOnlyChunk, noKeyReason, planBody, styleOf, upstreamBase, upstreamUrl } from '../../../electron/core/proxy/upstream.ts';
import type { Account } from '../../../shared/domain.ts';

const body = (v: unknown) => Buffer.from(JSON.stringify(v));
const JSON_TYPE = 'application/json';

describe('planBody', () => {
  it('a body that can hold no stream flag goes as the client sent it; its model and JSON are read from it all the same', () => {
    const raw = Buffer.from('{"model":"gpt-4o","messages":[{"role":"user","content":"line one\\nline two"}]}');
    const p = planBody(raw, JSON_TYPE, '/v1/chat/completions', 'openai', false);
    expect(p.body).toBe(raw);
    expect(p).toMatchObject({ stream: false, addedStreamUsage: false, addedRouterUsage: false, model: 'gpt-4o' });
    expect(p.json).toEqual(JSON.parse(raw.toString()));
    const notJson = planBody(Buffer.from('{"model": oops'), JSON_TYPE, '/v1/chat/completions', 'openai', false);
    expect([notJson.model, notJson.json]).toEqual(['', null]);
    expect(planBody(Buffer.from('["gpt-4o"]'), JSON_TYPE, '/v1/chat/completions', 'openai', false).json).toBeNull();
  });

  it('a stream flag spelled with an escape is still a stream: usage is asked for', () => {
    const p = planBody(Buffer.from('{"model":"gpt-4o","str\\u0065am":true,"messages":[]}'), JSON_TYPE, '/v1/chat/completions', 'openai', false);
    expect(p.stream).toBe(true);
    expect(p.addedStreamUsage).toBe(true);
    expect(JSON.parse(p.body.toString()).stream_options).toEqual({ include_usage: true });
  });

  it("a router's chat call without the usage flag still gets it, however its bytes look", () => {
    const p = planBody(Buffer.from('{"model":"openai/gpt-4o","messages":[]}'), JSON_TYPE, '/api/v1/chat/completions', 'openai', true);
    expect(p.addedRouterUsage).toBe(true);
    expect(JSON.parse(p.body.toString()).usage).toEqual({ include: true });
  });

  it('adds stream_options.include_usage to a chat stream that left it unset, and nothing else', () => {
    const p = planBody(body({ model: 'gpt-4o', stream: true, messages: [] }), JSON_TYPE, '/v1/chat/completions', 'openai', false);
    expect(p).toMatchObject({ stream: true, model: 'gpt-4o', addedStreamUsage: true, addedRouterUsage: false });
    expect(JSON.parse(p.body.toString())).toEqual({ model: 'gpt-4o', stream: true, messages: [], stream_options: { include_usage: true } });
  });

  it("adds a field by splicing it into the client's own bytes: the rest of the body is not serialised again", () => {
    // Formatting JSON.stringify would not keep (spaces, key order, an escaped slash) survives byte for byte.
    const raw = Buffer.from('{ "model" : "gpt-4o", "stream": true, "messages": [{"role": "user", "content": "a\\/b \\u00e9"}] }\n');
    const p = planBody(raw, JSON_TYPE, '/v1/chat/completions', 'openai', true);
    expect(p.body.toString()).toBe('{ "model" : "gpt-4o", "stream": true, "messages": [{"role": "user", "content": "a\\/b \\u00e9"}] ,"stream_options":{"include_usage":true},"usage":{"include":true}}\n');
    expect(JSON.parse(p.body.toString())).toMatchObject({ stream_options: { include_usage: true }, usage: { include: true } });
    // An empty object gets no leading comma; a null value the client sent is replaced (serialised).
    expect(JSON.parse(planBody(Buffer.from('{}'), JSON_TYPE, '/responses', 'openai', true).body.toString())).toEqual({ usage: { include: true } });
    expect(JSON.parse(planBody(body({ stream: true, stream_options: null }), JSON_TYPE, '/chat/completions', 'openai', false).body.toString())).toEqual({ stream: true, stream_options: { include_usage: true } });
  });

  it('keeps other stream options and respects an explicit false', () => {
    const kept = planBody(body({ stream: true, stream_options: { foo: 1 } }), JSON_TYPE, '/chat/completions', 'openai', false);
    expect(JSON.parse(kept.body.toString()).stream_options).toEqual({ foo: 1, include_usage: true });
    const off = body({ stream: true, stream_options: { include_usage: false } });
    const p = planBody(off, JSON_TYPE, '/v1/chat/completions', 'openai', false);
    expect(p.addedStreamUsage).toBe(false);
    expect(p.body).toBe(off);
  });

  it('leaves non-stream calls, Anthropic calls and non-JSON bodies untouched', () => {
    const raw = body({ model: 'gpt-4o', messages: [] });
    expect(planBody(raw, JSON_TYPE, '/v1/chat/completions', 'openai', false).body).toBe(raw);
    const a = body({ model: 'claude', stream: true });
    expect(planBody(a, JSON_TYPE, '/v1/messages', 'anthropic', false).body).toBe(a);
    const form = Buffer.from('--x\r\n');
    expect(planBody(form, 'multipart/form-data; boundary=x', '/v1/audio/transcriptions', 'openai', false)).toMatchObject({ body: form, json: null });
  });

  it('routers: adds usage.include when unset, keeps an explicit choice', () => {
    const p = planBody(body({ model: 'openai/gpt-4o', messages: [] }), JSON_TYPE, '/chat/completions', 'openai', true);
    expect(JSON.parse(p.body.toString()).usage).toEqual({ include: true });
    expect(p.addedRouterUsage).toBe(true);
    const explicit = planBody(body({ usage: { include: false } }), JSON_TYPE, '/chat/completions', 'openai', true);
    expect(explicit.addedRouterUsage).toBe(false);
  });
});

describe('routing', () => {
  it('joins the account base URL and the path without doubling /v1', () => {
    expect(upstreamUrl('https://openrouter.ai/api/v1', '/chat/completions', '').href).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(upstreamUrl('https://openrouter.ai/api/v1', '/v1/messages', '').href).toBe('https://openrouter.ai/api/v1/messages');
    expect(upstreamUrl('https://smai.ai', '/v1/chat/completions', '?x=1').href).toBe('https://smai.ai/v1/chat/completions?x=1');
  });
  it('never leaves the base URL', () => {
    expect(() => upstreamUrl('https://openrouter.ai/api/v1', '/%2e%2e/%2e%2e/admin', '')).toThrow(/leaves the account's base URL/);
    expect(() => upstreamUrl('https://openrouter.ai/api/v1', '/../x', '')).toThrow(/leaves/);
    expect(upstreamUrl('https://smai.ai', '//evil.example/v1', '').host).toBe('smai.ai');
  });
  it('Messages API paths are Anthropic style, everything else OpenAI style', () => {
    expect(styleOf('/v1/messages')).toBe('anthropic');
    expect(styleOf('/anthropic/v1/messages')).toBe('anthropic');
    expect(styleOf('/v1/chat/completions')).toBe('openai');
    expect(styleOf('/v1/threads/abc/messages')).toBe('openai');
  });
  it('recognises the usage-only chunk', () => {
    expect(isUsageOnlyChunk({ choices: [], usage: { prompt_tokens: 1 } })).toBe(true);
    expect(isUsageOnlyChunk({ choices: [{ delta: {} }], usage: { prompt_tokens: 1 } })).toBe(false);
    expect(isUsageOnlyChunk({ choices: [], usage: null })).toBe(false);
  });
});

describe('accounts set up for a management or admin API', () => {
  const acct = (provider: Account['provider'], baseUrl?: string): Account => ({ id: 'a', provider, label: 'A', pollIntervalSec: 300, ...(baseUrl ? { baseUrl } : {}) });
  it('OpenAI and Anthropic admin accounts go to their API, but their admin key is never inserted', () => {
    expect(upstreamBase(acct('openai'), 'https://api.openai.com')).toBe('https://api.openai.com');
    expect(noKeyReason(acct('openai'))).toMatch(/Admin key, which cannot make API calls/);
    expect(noKeyReason(acct('anthropic'))).toMatch(/Admin key/);
    expect(noKeyReason(acct('newapi'))).toBeNull();
  });
  it("xAI calls go to the inference host, not the account's management API; SurferCloud cannot be metered", () => {
    expect(upstreamBase(acct('xai', 'https://management-api.x.ai'), 'https://management-api.x.ai')).toBe('https://api.x.ai');
    expect(noKeyReason(acct('xai'))).toMatch(/management key/);
    expect(upstreamBase(acct('surfercloud'), 'https://api.surfercloud.com')).toBeNull();
  });
});

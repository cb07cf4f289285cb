// The one redaction rule: every occurrence of every secret, in every recognisable form, wherever text leaves.
import { describe, expect, it } from 'vitest';
import { Redactor, looksLikeKey, redact } from '../../electron/core/redaction.ts';
import { maskSecret } from '../../electron/core/errors.ts';

// Shaped like real keys (hex and base64url bodies) so fragments look like what a provider would echo.
const OR_KEY = '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';
const DS_KEY = 'sk-5f2c9a7e1b3d4f6a8c0e2b4d6f8a0c1e';
const ANT_KEY = 'sk-ant-admin01-Qx7_pL2vN9zR4tK8wB3mY6hJ1cF5dG0sA-uE2iO7nT4rW9qZ3xV8bM1kP6jL0hD5gS2fA7eC_4nW';
const SLASHY = 'Ab1/Cd2+Ef3=Gh4/Ij5+Kl6='; // UCloud-style private key: escapes differently in URLs and JSON

describe('Redactor', () => {
  const r = new Redactor(() => [OR_KEY, DS_KEY, ANT_KEY, SLASHY]);

  it('masks every occurrence, not just the first', () => {
    const out = r.text(`first ${DS_KEY} then ${DS_KEY} and ${DS_KEY}`);
    expect(out).not.toContain(DS_KEY.slice(3));
    expect(out).toBe('first sk-…0c1e then sk-…0c1e and sk-…0c1e');
    expect(redact(`${DS_KEY}|${DS_KEY}`, [DS_KEY])).toBe('sk-…0c1e|sk-…0c1e');
  });

  it('keeps the known prefix and the last four characters, like the masked hint', () => {
    expect(r.text(`key ${OR_KEY}.`)).toBe(`key ${maskSecret(OR_KEY)}.`);
    expect(r.text(ANT_KEY)).toBe(maskSecret(ANT_KEY));
  });

  it('masks a key echoed without its prefix', () => {
    const body = OR_KEY.slice('sk-or-v1-'.length);
    const out = r.text(`Invalid key ${body} (check it)`);
    expect(out).not.toContain(body.slice(0, 16));
    expect(out).toMatch(/^Invalid key …/);
    expect(r.text(`token=${ANT_KEY.slice('sk-ant-admin01-'.length)}`)).not.toContain('Qx7_pL2v');
  });

  it('masks any case', () => {
    for (const form of [DS_KEY.toUpperCase(), DS_KEY.toLowerCase(), DS_KEY.slice(3).toUpperCase(), ANT_KEY.toLowerCase()]) {
      const out = r.text(`echo: ${form}`);
      expect(out, form).not.toContain(form.slice(-20));
    }
  });

  it('masks URL-escaped and JSON-escaped forms', () => {
    const url = `https://x.test/?key=${encodeURIComponent(SLASHY)}`;
    expect(r.text(url)).not.toContain(encodeURIComponent(SLASHY).slice(0, 12));
    expect(r.text(url.toLowerCase())).not.toContain(encodeURIComponent(SLASHY).toLowerCase().slice(0, 12));
    const json = JSON.stringify({ key: SLASHY.replaceAll('/', '\\/') });
    expect(r.text(json)).not.toContain('Cd2+Ef3');
    const unicode = `{"key":"${[...SLASHY].map((c) => (c === '/' ? '\\u002f' : c)).join('')}"}`;
    expect(r.text(unicode)).not.toContain('Cd2+Ef3');
    expect(r.text(`key: ${SLASHY}`)).toBe('key: …Kl6=');
  });

  it('masks any fragment of eight characters or more', () => {
    // What a 200-character clip or a field error quoting part of a value leaves behind.
    const body = DS_KEY.slice(3);
    for (const [start, len] of [[0, 8], [5, 9], [12, 8], [24, 8], [10, 15]] as const) {
      const piece = body.slice(start, start + len);
      const out = r.text(`…value "${piece}" is not a number`);
      expect(out, piece).not.toContain(piece);
    }
    const clipped = `The provider said: "bad key ${OR_KEY}"`.slice(0, 60);
    expect(r.text(clipped)).not.toMatch(/[0-9a-f]{8}/);
  });

  it('leaves short fragments and ordinary words alone', () => {
    expect(r.text('balance 5f2c9a7 left')).toBe('balance 5f2c9a7 left');
    // A test key made of words must not mask those words wherever they appear.
    const wordy = new Redactor(() => ['sk-or-v1-demo-management', 'sk-cli-test-deepseek-0001']);
    expect(wordy.text('add a management key')).toBe('add a management key');
    expect(wordy.text('deepseek-ai/DeepSeek-V3 on deepseek-cn')).toBe('deepseek-ai/DeepSeek-V3 on deepseek-cn');
    expect(wordy.text('the key sk-or-v1-demo-management was refused')).toBe('the key sk-or-v1-…ment was refused');
  });

  it('masks the secret part of a webhook URL but not its host', () => {
    const hook = 'https://hooks.slack.com/services/T0AAAA1/B0BBBB2/XyZ9abcDEF0123ghij';
    const w = new Redactor(() => [hook]);
    expect(w.text('hooks.slack.com answered 404')).toBe('hooks.slack.com answered 404');
    expect(w.text(`posting to ${hook}`)).not.toContain('B0BBBB2/XyZ9');
    expect(w.text(`path /services/t0aaaa1/b0bbbb2`)).not.toContain('t0aaaa1/b0bbbb2');
  });

  it('scrubs every string of a value, keys included, and copies only what changed', () => {
    const input = { ok: true, n: 5, list: ['fine', `model-${DS_KEY.slice(3)}`], nested: { [DS_KEY]: 1, keep: 'x' } };
    const out = r.value(input);
    expect(JSON.stringify(out)).not.toContain(DS_KEY.slice(3, 20));
    expect(out.n).toBe(5);
    expect(input.list[1]).toContain(DS_KEY.slice(3));
    const clean = { a: ['x', { b: 'y' }] };
    expect(r.value(clean)).toBe(clean);
  });

  it('adds extra secrets for one call and follows changes after invalidate()', () => {
    let secrets = [DS_KEY];
    const live = new Redactor(() => secrets);
    const extra = 'sk-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';
    expect(live.text(`x ${extra}`, [extra])).toBe('x sk-…5c4b');
    expect(live.text(`x ${extra}`)).toContain(extra);
    secrets = [extra];
    live.invalidate();
    expect(live.text(`x ${extra}`)).toBe('x sk-…5c4b');
  });

  it('masks short secrets exactly, in any case', () => {
    const s = new Redactor(() => ['pw-42']);
    expect(s.text('user PW-42 and pw-42')).toBe('user •••• and ••••');
  });
});

describe('looksLikeKey', () => {
  it('spots pasted keys, with or without a prefix', () => {
    expect(looksLikeKey(DS_KEY)).toBe(true);
    expect(looksLikeKey(DS_KEY.slice(3))).toBe(true);
    expect(looksLikeKey('sk-or-v1-0123456789abcdef')).toBe(true);
    expect(looksLikeKey('Qx7pL2vN9zR4tK8wB3mY6hJ1')).toBe(true);
  });

  it('leaves names people give accounts alone', () => {
    for (const name of ['main', 'smai-gateway', 'openrouter-team-2025', 'deepseek_cn', 'openrouterproduction2024', 'gw-1']) {
      expect(looksLikeKey(name), name).toBe(false);
    }
  });
});

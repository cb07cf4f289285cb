// The metering proxy's request rows pass the same redaction as everything else: a model name (or app label) that
// carries a stored key never reaches the request table, /api/requests or the event stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { call, KEYS, startHarness, type Harness } from './harness.ts';

let h: Harness;
const echoed = `ft:${KEYS.oa.slice(3).toUpperCase()}`;

beforeAll(async () => {
  h = await startHarness();
  await call(h, '/oa/v1/chat/completions', { model: echoed, messages: [{ role: 'user', content: 'hi' }] }, { 'x-spendbar-app': `app-${KEYS.gw}` });
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

describe('proxy request rows', () => {
  it('are stored and served without any stored key in them', async () => {
    const rows = await (await fetch(`${h.server.url}/api/requests`)).text();
    expect(rows).toMatch(/"model":"ft:…/);
    const db = readFileSync(join(h.dataDir, 'spendbar.db'), 'latin1') + (existsSync(join(h.dataDir, 'spendbar.db-wal')) ? readFileSync(join(h.dataDir, 'spendbar.db-wal'), 'latin1') : '');
    for (const key of [KEYS.oa, KEYS.gw]) {
      const body = key.slice(3);
      expect(rows.toLowerCase()).not.toContain(body.toLowerCase());
      expect(db.toLowerCase()).not.toContain(body.toLowerCase());
    }
  });
});

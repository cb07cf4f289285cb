// Who may use the proxy, and which key goes upstream (electron/core/proxy/auth.ts has the rules in words).
import { describe, expect, it } from 'vitest';
import { checkClient, chooseKey, newProxyToken, parseAppHeader, ProxyAuthError, proxyTokenProblem } from '../../../electron/core/proxy/auth.ts';

const TOKEN = 'spendbar-proxy-unit-token-0123456789ab';
const STORED = 'sk-unit-stored-provider-key-7777';

function refused(fn: () => void): { status: number; message: string } | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof ProxyAuthError) return { status: err.status, message: err.message };
    throw err;
  }
}

describe('checkClient', () => {
  it('lets loopback clients in without the serve token (IPv4, IPv6, IPv4-mapped)', () => {
    for (const a of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) expect(refused(() => checkClient({ remoteAddress: a, headers: {}, serveToken: 'serve-secret' }))).toBeNull();
  });

  it('a client on another machine needs the serve token in X-Spendbar-Token', () => {
    expect(refused(() => checkClient({ remoteAddress: '192.168.1.20', headers: {}, serveToken: 'serve-secret' }))).toMatchObject({ status: 401, message: expect.stringMatching(/X-Spendbar-Token/) });
    expect(refused(() => checkClient({ remoteAddress: '192.168.1.20', headers: { 'x-spendbar-token': 'wrong' }, serveToken: 'serve-secret' }))?.status).toBe(401);
    expect(refused(() => checkClient({ remoteAddress: '192.168.1.20', headers: { 'x-spendbar-token': 'serve-secret' }, serveToken: 'serve-secret' }))).toBeNull();
    // The serve token in Authorization is not enough: that header carries the provider key.
    expect(refused(() => checkClient({ remoteAddress: '10.0.0.5', headers: { authorization: 'Bearer serve-secret' }, serveToken: 'serve-secret' }))?.status).toBe(401);
  });

  it('without a serve token, nobody off this machine gets in', () => {
    expect(refused(() => checkClient({ remoteAddress: '10.0.0.5', headers: { 'x-spendbar-token': '' } }))).toMatchObject({ status: 403 });
    expect(refused(() => checkClient({ remoteAddress: undefined, headers: {} }))?.status).toBe(403);
  });

  it('refuses browser pages, loopback or not', () => {
    expect(refused(() => checkClient({ remoteAddress: '127.0.0.1', headers: { origin: 'http://localhost:3000' } }))).toMatchObject({ status: 403, message: expect.stringMatching(/not web pages/) });
  });
});

describe('chooseKey', () => {
  it('replaces the proxy token (Bearer or x-api-key) with the stored key, labelled masked', () => {
    const idOf = (k: string) => `id-of-${k.length}`;
    expect(chooseKey({ authorization: `Bearer ${TOKEN}` }, TOKEN, STORED, undefined, idOf)).toEqual({ headers: { authorization: `Bearer ${STORED}` }, keyLabel: 'sk-…7777', keyId: `id-of-${STORED.length}`, inserted: true });
    expect(chooseKey({ 'x-api-key': TOKEN }, TOKEN, STORED)).toEqual({ headers: { 'x-api-key': STORED }, keyLabel: 'sk-…7777', keyId: '', inserted: true });
  });
  it("leaves the client's own key alone", () => {
    // The id is made from the key the client sent (its own), never from the token.
    expect(chooseKey({ authorization: 'Bearer sk-own-client-key-1234' }, TOKEN, STORED, undefined, (k) => (k === 'sk-own-client-key-1234' ? 'k_own' : 'wrong'))).toEqual({ headers: {}, keyLabel: 'sk-…1234', keyId: 'k_own', inserted: false });
    expect(chooseKey({}, TOKEN, STORED, undefined, () => 'never')).toEqual({ headers: {}, keyLabel: '', keyId: '', inserted: false });
  });
  it('a token for an admin-key account says why no key is inserted', () => {
    expect(refused(() => chooseKey({ authorization: `Bearer ${TOKEN}` }, TOKEN, undefined, 'its stored key is an Admin key'))).toMatchObject({ status: 400, message: expect.stringMatching(/does not insert .* Admin key/) });
  });

  it('a token for an account without a stored key is a clear 400', () => {
    expect(refused(() => chooseKey({ authorization: `Bearer ${TOKEN}` }, TOKEN, undefined))).toMatchObject({ status: 400, message: expect.stringMatching(/no stored API key/) });
  });
});

describe('the proxy token', () => {
  it('is made with a prefix no provider key has, and a configured one may not be a provider key', () => {
    const t = newProxyToken();
    expect(t).toMatch(/^spendbar-proxy-[A-Za-z0-9_-]{32}$/);
    expect(proxyTokenProblem(t, [STORED])).toBeNull();
    expect(proxyTokenProblem(STORED, [STORED])).toMatch(/must not be a provider key/);
    expect(proxyTokenProblem('sk-looks-like-a-provider-key-000000', [])).toMatch(/must not be a provider key/);
    expect(proxyTokenProblem('short', [])).toMatch(/at least 24/);
  });
});

describe('X-Spendbar-App', () => {
  it('names the app and its kind (service by default), bounded and printable', () => {
    expect(parseAppHeader('billing-worker; kind=internal')).toEqual({ app: 'billing-worker', kind: 'internal' });
    expect(parseAppHeader('chat-ui')).toEqual({ app: 'chat-ui', kind: 'service' });
    expect(parseAppHeader(undefined)).toEqual({ app: '', kind: 'service' });
    expect(parseAppHeader(`${'a'.repeat(100)}\u0007`).app).toHaveLength(64);
  });
});

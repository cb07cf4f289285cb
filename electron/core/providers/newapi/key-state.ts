// Why a gateway refused a key. A used-up or expired key is not a wrong key: telling the user to "check the key"
// sends them the wrong way. One-API and New-API before 2026-04 say which in their 401 message; New-API since then
// answers every refusal with "无效的令牌" (to stop key enumeration), and only its read-only routes still read the key.
import { ProviderError } from '../../errors.ts';
import { safeHost } from '../../http.ts';

export type KeyState = 'exhausted' | 'expired' | 'disabled' | 'invalid';

const PATTERNS: [KeyState, RegExp][] = [
  ['exhausted', /额度已用尽|quota (is )?(exhausted|used up)|TokenStatusExhausted|insufficient.*quota/i],
  ['expired', /已过期|has expired|token expired|TokenStatusExpired/i],
  ['disabled', /状态不可用|status (is )?unavailable|token (is )?disabled|已被禁用/i],
];

export function classifyRefusal(message: string): KeyState {
  for (const [state, re] of PATTERNS) if (re.test(message)) return state;
  return 'invalid';
}

/** A 401 from the gateway's key check, with what it means for the key. */
export class KeyRefused extends ProviderError {
  readonly state: KeyState;
  constructor(state: KeyState, url: string, status?: number) {
    super(state === 'disabled' || state === 'invalid' ? 'auth' : 'provider', refusalMessage(state, url), status === undefined ? {} : { status });
    this.name = 'KeyRefused';
    this.state = state;
  }
}

export function refusalMessage(state: KeyState, url: string): string {
  const host = safeHost(url);
  switch (state) {
    case 'exhausted':
      return `This key's quota on ${host} is used up: the gateway refuses calls with it until its quota is raised (on the gateway's token page, or by whoever issued the key). The key itself is valid.`;
    case 'expired':
      return `This key on ${host} has expired: the gateway refuses calls with it until its expiry is extended on the gateway's token page (or use a new key). The key itself is valid.`;
    case 'disabled':
      return `This key is disabled on ${host}: enable it on the gateway's token page, or use another key.`;
    default:
      return `${host} rejected the API key (401). Check that it is the whole sk-… key from this gateway's token page and that it was not deleted.`;
  }
}

export const STATE_NOTES: Record<Exclude<KeyState, 'invalid'>, string> = {
  exhausted: "This key's quota is used up; the gateway will refuse calls until it is raised or topped up.",
  expired: 'This key has expired; the gateway will refuse calls until its expiry is extended.',
  disabled: 'This key is disabled on the gateway; it will refuse calls until the key is enabled again.',
};

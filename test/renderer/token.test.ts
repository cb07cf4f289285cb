// @vitest-environment jsdom
import { describe, it, expect } from 'vitest';
import { takeToken } from '../../renderer/api/token.ts';

describe('takeToken', () => {
  it('takes the token from the fragment, keeps it for the tab and removes it from the address bar', () => {
    window.history.replaceState(null, '', '/?view=usage#token=abc%2F123');
    expect(takeToken(window.location, window.sessionStorage)).toBe('abc/123');
    expect(window.location.hash).toBe('');
    expect(window.location.search).toBe('?view=usage');
    // A reload has no fragment any more: the stored token is used.
    expect(takeToken(window.location, window.sessionStorage)).toBe('abc/123');
  });

  it('keeps other fragment parts and returns null when there is no token', () => {
    window.sessionStorage.clear();
    window.history.replaceState(null, '', '/#token=t1&x=1');
    expect(takeToken(window.location, window.sessionStorage)).toBe('t1');
    expect(window.location.hash).toBe('#x=1');
    window.sessionStorage.clear();
    window.history.replaceState(null, '', '/');
    expect(takeToken(window.location, window.sessionStorage)).toBeNull();
  });
});

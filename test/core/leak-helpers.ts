// What counts as a leak in the tests: any 8-character run of a secret (without its known prefix), in any case,
// plain or URL-escaped. The same definition the redactor promises, checked independently of it.
import { expect } from 'vitest';

const PREFIX = /^(sk-or-v1-|sk-ant-admin\d*-|sk-admin-|sk-)/;

export function leakedFragment(text: string, secret: string): string | null {
  const body = secret.slice(PREFIX.exec(secret)?.[0].length ?? 0);
  const hay = text.toLowerCase();
  for (const form of new Set([body, encodeURIComponent(body)])) {
    for (let i = 0; i + 8 <= form.length; i++) {
      const window = form.slice(i, i + 8);
      // Runs of plain words are not evidence (see redaction.ts); the keys under test are generated, so almost none are.
      if (!/\d/.test(window) && !(/[a-z]/.test(window) && /[A-Z]/.test(window))) continue;
      if (hay.includes(window.toLowerCase())) return window;
    }
  }
  return null;
}

export function expectNoLeak(text: string, secret: string, where: string): void {
  const found = leakedFragment(text, secret);
  expect(found, `${where} contains "${found}" from a secret`).toBeNull();
}

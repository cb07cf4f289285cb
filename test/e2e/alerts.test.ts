// The Alerts tab in a real Chromium against `spendbar serve --demo`: a rule made in the UI fires on "Refresh now",
// shows in the history and the Overview banner without a reload, and is acknowledged there.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { AccountStatus } from '../../shared/domain.ts';
import type { AlertPreview, AlertsView } from '../../shared/api.ts';
import type { AlertEvent } from '../../shared/alerts.ts';
import { previewText } from '../../renderer/lib/alertsHistory.ts';
import { ARTIFACTS, browserAvailable, buildDashboard, eventually, launchBrowser, serveDemo, type Browser, type Served } from './harness.ts';

const hasBrowser = browserAvailable();
const ACCOUNT = 'demo-openrouter';

describe.skipIf(!hasBrowser)('alerts end to end', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let ruleId = '';
  const shot = (name: string, p: Page = page) => p.screenshot({ path: join(ARTIFACTS, `alerts-${name}.png`), fullPage: true });
  const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  beforeAll(async () => {
    buildDashboard();
    served = await serveDemo();
    await eventually(async () => {
      const statuses = await served.api<AccountStatus[]>('/api/status');
      expect(statuses.find((s) => s.accountId === ACCOUNT)?.lastSuccess?.balance).toBeTruthy();
    }, 60_000);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err));
  });

  afterAll(async () => {
    await browser?.stop();
    await served?.stop();
  });

  it('creates a balance-below rule with a live preview from stored history', async () => {
    const status = (await served.api<AccountStatus[]>('/api/status')).find((s) => s.accountId === ACCOUNT)!;
    const balance = status.lastSuccess!.balance!;
    expect(balance.currency).toBe('USD');
    // Above the demo balance, so the next poll is a breach.
    const amount = Math.ceil(balance.micros / 1e6) + 10;

    await page.goto(served.url);
    await page.getByTestId('alerts-tab').click();
    await page.getByTestId('alerts-view').waitFor();
    await page.getByTestId('rule-add').click();
    await page.getByTestId('rule-type').selectOption('balance-below');
    await page.getByTestId('rule-account').selectOption(`a:${ACCOUNT}`);
    await page.getByTestId('rule-field-currency').selectOption('USD');
    await page.getByTestId('rule-field-amount').fill(String(amount));
    await page.getByTestId('rule-name').fill('Top up the demo OpenRouter');

    const rule = { type: 'balance-below', enabled: true, account: ACCOUNT, currency: 'USD', amount, name: 'Top up the demo OpenRouter' };
    const expected = await served.api<AlertPreview>('/api/alerts/preview', { body: { rule, days: 30 } });
    expect(expected.days).toBe(30);
    await eventually(async () => expect(await page.getByTestId('rule-preview-text').textContent()).toBe(previewText(expected)));
    expect(await page.getByTestId('rule-error').count()).toBe(0);
    await shot('editor');

    // A bad amount is refused in the core's words before anything is sent.
    await page.getByTestId('rule-field-amount').fill('-1');
    expect(await page.getByTestId('rule-error').textContent()).toBe('Alert rule 1 (Balance below "Top up the demo OpenRouter"): Amount: must not be negative');
    expect(await page.getByTestId('rule-preview').getAttribute('data-state')).toBe('invalid');
    await page.getByTestId('rule-field-amount').fill(String(amount));

    await page.getByTestId('rule-save').click();
    await page.getByTestId('rules-notice').waitFor();
    const view = await served.api<AlertsView>('/api/alerts');
    const saved = view.rules.find((r) => r.source === 'settings' && r.rule.account === ACCOUNT);
    expect(saved?.rule).toMatchObject({ type: 'balance-below', amount, currency: 'USD' });
    ruleId = saved!.rule.id;
    expect(await page.locator(`[data-testid="rule-row"][data-rule-id="${ruleId}"]`).textContent()).toContain('Top up the demo OpenRouter');
  });

  it('shows the alert in the history and the banner after "Refresh now", without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await page.getByTestId('refresh-now').click();
    const row = page.locator(`[data-testid="history-row"][data-rule-id="${ruleId}"]`).first();
    await row.waitFor({ timeout: 30_000 });
    // The event arrives as soon as its account's poll is done; the active list follows once the whole refresh is.
    await eventually(async () => expect(await row.getAttribute('data-active')).toBe('true'), 30_000);
    expect(await row.getAttribute('data-kind')).toBe('fired');
    const events = await served.api<AlertEvent[]>(`/api/alerts/history?ruleId=${encodeURIComponent(ruleId)}`);
    expect(events).toHaveLength(1);
    expect(await row.locator('.history-title').textContent()).toBe(events[0]!.title);
    expect(await page.getByTestId('alerts-tab-count').textContent()).toBe('1');
    await shot('history');

    await page.getByTestId('tab-overview').click();
    const banner = page.getByTestId('alerts-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('1 active alert');
    expect(await page.getByTestId('alerts-banner-title').textContent()).toBe(events[0]!.title);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await shot('banner');

    // A fresh page at tray-popover width shows the same banner, without overflowing.
    const narrow = await browser.context.newPage();
    await narrow.setViewportSize({ width: 360, height: 740 });
    await narrow.goto(served.url);
    await narrow.getByTestId('alerts-banner').waitFor();
    expect(await narrow.getByTestId('alerts-banner-title').textContent()).toBe(events[0]!.title);
    expect(await overflow(narrow)).toBeLessThanOrEqual(0);
    await shot('banner-360', narrow);
    await narrow.close();
  });

  it('acknowledges the alert from the history; the banner goes away', async () => {
    await page.getByTestId('alerts-banner-open').click();
    expect(await page.getByTestId('alerts-tab').getAttribute('aria-current')).toBe('page');
    const row = page.locator(`[data-testid="history-row"][data-rule-id="${ruleId}"]`).first();
    await row.getByTestId('history-ack').click();
    await eventually(async () => expect(await row.getAttribute('data-acknowledged')).toBe('true'));
    expect(await row.getAttribute('data-active')).toBe('false');
    expect((await served.api<AlertsView>('/api/alerts')).active).toEqual([]);
    expect(await page.getByTestId('alerts-tab-count').count()).toBe(0);
    await shot('acknowledged');
    await page.getByTestId('tab-overview').click();
    await page.getByTestId('account-card').first().waitFor();
    expect(await page.getByTestId('alerts-banner').count()).toBe(0);
  });

  it('adds a webhook, sends a test to a loopback receiver, and shows its URL masked only', async () => {
    const received: { path: string; body: string }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/s3cret-token-wxyz`;
      await page.getByTestId('alerts-tab').click();
      await page.getByTestId('channel-add').click();
      await page.getByTestId('channel-format').selectOption('json');
      await page.getByTestId('channel-id').fill('receiver');
      await page.getByTestId('channel-name').fill('Ops receiver');
      await page.getByTestId('channel-url').fill(url);
      await page.getByTestId('channel-editor-test').click();
      const result = page.getByTestId('channel-editor').getByTestId('channel-result');
      await eventually(async () => expect(await result.getAttribute('data-ok')).toBe('true'));
      expect(received).toHaveLength(1);
      expect(received[0]!.path).toBe('/hooks/s3cret-token-wxyz');
      expect(received[0]!.body).toContain('Spendbar test alert');
      await shot('channel-editor');
      await page.getByTestId('channel-save').click();
      const row = page.locator('[data-testid="channel-row"][data-channel-id="receiver"]');
      await row.waitFor();
      expect(await row.getByTestId('channel-masked-url').textContent()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/…wxyz$/);
      expect(await page.content()).not.toContain('s3cret-token');
      // A saved channel tests by id: the core uses the stored URL the page never saw.
      await row.getByTestId('channel-test').click();
      await eventually(async () => expect(await row.getByTestId('channel-result').getAttribute('data-ok')).toBe('true'));
      expect(received).toHaveLength(2);
      await shot('channels');
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it('is reachable by keyboard with a visible focus', async () => {
    await page.getByTestId('tab-accounts').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('alerts-tab').getAttribute('aria-current')).toBe('page');
    await page.getByTestId('rule-add').focus();
    await page.keyboard.press('Enter');
    // The editor takes focus, so a keyboard user lands in it.
    expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="rule-editor"]') !== null)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('rule-type');
    const outline = await page.getByTestId('rule-type').evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');
    await page.getByTestId('rule-cancel').click();
  });

  it('works at 360 px wide, light and dark', async () => {
    const narrow = await browser.context.newPage();
    await narrow.setViewportSize({ width: 360, height: 740 });
    await narrow.goto(served.url);
    await narrow.getByTestId('alerts-tab').click();
    await narrow.getByTestId('history-row').first().waitFor();
    expect(await overflow(narrow)).toBeLessThanOrEqual(0);
    await shot('360', narrow);
    await narrow.getByTestId('rule-add').click();
    await narrow.getByTestId('rule-preview-text').waitFor();
    expect(await overflow(narrow)).toBeLessThanOrEqual(0);
    await narrow.emulateMedia({ colorScheme: 'dark' });
    await shot('360-dark-editor', narrow);
    await narrow.getByTestId('rule-cancel').click();
    await shot('360-dark', narrow);
    await narrow.close();
  });
});

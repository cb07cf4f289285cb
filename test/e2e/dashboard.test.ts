// The dashboard in a real Chromium against `spendbar serve --demo` and its loopback provider fakes.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Account, AccountStatus, SeriesResult } from '../../shared/domain.ts';
import type { TestResult } from '../../shared/api.ts';
import { formatMoneyShort } from '../../renderer/lib/format.ts';
import { addDays } from '../../renderer/lib/zone.ts';
import { describeRunway } from '../../shared/figures.ts';
import { ARTIFACTS, browserAvailable, buildDashboard, eventually, launchBrowser, serveDemo, type Browser, type Served } from './harness.ts';

interface Summary {
  label: string;
  points: number;
  hidden: boolean;
  sum: number;
}

const hasBrowser = browserAvailable();

describe.skipIf(!hasBrowser)('dashboard end to end', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;

  const shot = (name: string, p: Page = page) => p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const series = async (): Promise<Summary[]> => JSON.parse((await page.getByTestId('trend-chart').getAttribute('data-series')) ?? '[]');
  const waitSeriesChange = async (before: string) =>
    eventually(async () => {
      const now = await page.getByTestId('trend-chart').getAttribute('data-series');
      if (now === before || now === '[]') throw new Error('chart data did not change');
      return now!;
    });

  beforeAll(async () => {
    buildDashboard();
    served = await serveDemo();
    // Every demo account's first poll (which brings its history) must be in before filters can be compared.
    await eventually(async () => {
      const [accounts, statuses] = await Promise.all([served.api<Account[]>('/api/accounts'), served.api<AccountStatus[]>('/api/status')]);
      expect(accounts.length).toBeGreaterThan(0);
      expect(accounts.every((a) => statuses.some((s) => s.accountId === a.id && s.lastSuccess && !s.polling))).toBe(true);
    }, 60_000);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err));
  });

  afterAll(async () => {
    await browser?.stop();
    await served?.stop();
  });

  it('shows the fakes’ figures on the overview cards, labelled demo', async () => {
    await page.goto(served.url);
    const accounts = await served.api<Account[]>('/api/accounts');
    expect(accounts.length).toBeGreaterThan(0);
    await eventually(async () => expect(await page.getByTestId('account-card').count()).toBe(accounts.length));
    await expect(page.getByTestId('demo-label').textContent()).resolves.toBe('Demo data');
    await eventually(async () => {
      const statuses = await served.api<AccountStatus[]>('/api/status');
      for (const s of statuses) {
        const card = page.locator(`[data-testid="account-card"][data-account-id="${s.accountId}"]`);
        const balances = s.lastSuccess?.balances ?? [];
        const today = s.lastSuccess?.spent.today;
        if (balances.length === 0 && !today && !s.lastSuccess?.spent.month && !s.lastSuccess?.spent.total) {
          // A provider that reports no money shows its own units: tokens and requests (SurferCloud), or a token quota.
          expect(await card.getByTestId('card-balance').count()).toBe(0);
          if (s.accountId === 'demo-surfer') {
            expect(Number((await card.getByTestId('card-tokens-month').getAttribute('title'))!.replace(/\D/g, ''))).toBeGreaterThan(0);
            expect(await card.getByTestId('card-requests-today').textContent()).toMatch(/requests$/);
          } else expect(await card.getByTestId('card-quota').textContent()).toMatch(/tokens/);
          continue;
        }
        expect(await card.getByTestId('card-balance').textContent()).toBe(balances.length ? balances.map((m) => formatMoneyShort(m)).join('') : '—');
        expect(await card.getByTestId('card-today').textContent()).toBe(today ? formatMoneyShort(today) : '—');
      }
    }, 30_000);
    expect(await page.getByTestId('badge-demo').count()).toBe(accounts.length);
    // One runway everywhere: the card says exactly what the core served with the status.
    for (const s of await served.api<AccountStatus[]>('/api/status')) {
      if (!s.runway) continue;
      const card = page.locator(`[data-testid="account-card"][data-account-id="${s.accountId}"]`);
      expect(await card.getByTestId('card-runway').textContent()).toBe(describeRunway(s.runway));
    }
    await eventually(async () => expect(await page.getByTestId('spend-chart').getAttribute('data-columns')).toBe('30'));
    expect(await page.locator('[data-testid="spend-chart"] [data-testid="bar-panel"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-currency')))).toEqual(['CNY', 'USD']);
    expect(await page.getByTestId('month-card').count()).toBe(2);
    await shot('overview');
  });

  it('changes the chart’s data with each filter', async () => {
    await page.getByTestId('tab-usage').click();
    /** What the API holds for a filter over the last `days` days: the chart must show exactly these groups. */
    const { timeZone } = await served.api<{ timeZone: string }>('/api/info');
    const direct = async (filter: { accountIds?: string[]; models?: string[]; keys?: string[] }, days = 7) => {
      const to = Date.now();
      // "Last N days" is today and the N − 1 days before it, from their midnight in the app's zone.
      const from = addDays(to, -(days - 1), timeZone);
      const r = await served.api<SeriesResult>('/api/series', { body: { metric: 'requests', bucket: 'day', groupBy: 'model', from, to, timeZone, ...filter } });
      return r.series.filter((s) => s.points.some((p) => p.v > 0)).map((s) => s.group).sort();
    };
    const shownGroups = async () => (await series()).filter((s) => s.sum > 0).map((s) => s.label).sort();
    const matches = async (filter: Parameters<typeof direct>[0], days = 7) =>
      eventually(async () => {
        const want = await direct(filter, days);
        expect(want.length).toBeGreaterThan(0);
        expect(await shownGroups()).toEqual(want);
        return want;
      }, 30_000);
    const apply = async (testId: string, value: string) => {
      const before = (await page.getByTestId('trend-chart').getAttribute('data-series'))!;
      await page.getByTestId(testId).selectOption(value);
      await page.getByTestId('filter-query').click();
      return waitSeriesChange(before);
    };

    const all = await matches({});
    expect(all.length).toBeGreaterThan(1);
    // The period picked is exactly the columns shown.
    expect(await page.getByTestId('trend-chart').getAttribute('data-columns')).toBe('7');
    const filters = await served.api<{ accounts: { id: string }[]; models: string[]; keys: string[] }>('/api/filters');

    await apply('filter-account', 'demo-openrouter');
    const routerModels = await matches({ accountIds: ['demo-openrouter'] });
    expect(routerModels.length).toBeLessThan((await direct({})).length);
    await page.getByTestId('filter-account').selectOption('__all__');

    const model = routerModels[0]!;
    await apply('filter-model', model);
    expect(await matches({ models: [model] })).toEqual([model]);
    await page.getByTestId('filter-model').selectOption('__all__');

    // A key with requests in the window (cost-only keys, such as an organization's daily cost rows, have none).
    let key = filters.keys[0]!;
    for (const k of filters.keys.filter((x) => x !== '')) {
      if ((await direct({ keys: [k] })).length > 0) {
        key = k;
        break;
      }
    }
    await apply('filter-key', key);
    await matches({ keys: [key] });
    await page.getByTestId('filter-key').selectOption('__all__');

    await apply('filter-period', '1');
    expect(await page.getByTestId('trend-chart').getAttribute('data-bucket')).toBe('hour');
    await matches({}, 1);

    await page.getByTestId('filter-period').selectOption('custom');
    const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('filter-from').fill(day(10));
    const before = (await page.getByTestId('trend-chart').getAttribute('data-series'))!;
    await page.getByTestId('filter-to').fill(day(4));
    await page.getByTestId('filter-query').click();
    await waitSeriesChange(before);
    await shot('usage-filtered');
    await page.getByTestId('filter-clear').click();
    await matches({});
    await shot('usage');
  });

  it('hides a model when its legend entry is clicked', async () => {
    const first = (await series())[0]!;
    await page.locator(`[data-testid="legend-item"][data-label="${first.label}"]`).click();
    await eventually(async () => expect((await series()).find((s) => s.label === first.label)!.hidden).toBe(true));
    expect((await series()).filter((s) => s.hidden)).toHaveLength(1);
    expect(await page.getByTestId('trend-canvas').getAttribute('aria-label')).not.toContain(`${first.label} `);
    await shot('usage-legend-hidden');
    await page.locator(`[data-testid="legend-item"][data-label="${first.label}"]`).click();
    await eventually(async () => expect((await series()).every((s) => !s.hidden)).toBe(true));
  });

  it('shows one breakdown row per model, tokens and cost together (also for the organizations that report them apart)', async () => {
    const rows = page.getByTestId('breakdown-row');
    await eventually(async () => expect(await rows.count()).toBeGreaterThan(5));
    const seen = await rows.evaluateAll((els) => els.map((e) => ({ group: e.getAttribute('data-group'), account: e.getAttribute('data-account-id'), cells: [...e.querySelectorAll('td')].map((td) => td.textContent ?? '') })));
    const ids = seen.map((r) => `${r.group}|${r.account}`);
    expect(new Set(ids).size).toBe(ids.length);
    // OpenAI reports tokens per hour and cost per day and model: one row with both.
    const gpt = seen.filter((r) => r.group === 'gpt-4.1-2025-04-14');
    expect(gpt).toHaveLength(1);
    expect(Number(gpt[0]!.cells[3]!.replace(/\D/g, ''))).toBeGreaterThan(0);
    expect(gpt[0]!.cells[4]).toMatch(/^\$\d/);
    // xAI's per-day cost names no model: its own row, naming the account.
    expect(seen.filter((r) => r.group === '(all models)').map((r) => r.account)).toEqual(['demo-xai']);
  });

  it('exports a CSV with exactly the rows the chart shows', async () => {
    const shown = await series();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^spendbar-usage-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    const path = join(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(path);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^start,model,requests,input_tokens,output_tokens,cached_tokens,reasoning_tokens,total_tokens/);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.length).toBeGreaterThan(0);
    // The chart shows requests per model: the CSV's requests per model must be the same numbers.
    const perModel = new Map<string, number>();
    for (const r of rows) perModel.set(r[1]!, (perModel.get(r[1]!) ?? 0) + Number(r[2]));
    for (const s of shown) expect(perModel.get(s.label) ?? 0).toBe(s.sum);
    expect([...perModel.entries()].filter(([, n]) => n > 0).map(([m]) => m).sort()).toEqual(shown.filter((s) => s.sum > 0).map((s) => s.label).sort());
  });

  it('shows the provider’s error for a wrong key and saves nothing', async () => {
    const before = await served.api<Account[]>('/api/accounts');
    const router = before.find((a) => a.provider === 'openrouter');
    expect(router?.baseUrl).toBeTruthy();
    const input = { provider: 'openrouter', label: 'Wrong key', baseUrl: router!.baseUrl, pollIntervalSec: 300, credentials: { apiKey: 'sk-or-v1-this-key-is-wrong' } };
    const expected = await served.api<TestResult>('/api/accounts/test', { body: input });
    expect(expected.ok).toBe(false);

    await page.getByTestId('tab-accounts').click();
    await page.getByTestId('account-add').click();
    await page.getByTestId('field-provider').selectOption('openrouter');
    await page.getByTestId('field-label').fill(input.label);
    await page.getByTestId('field-apiKey').fill(input.credentials.apiKey);
    await page.getByTestId('field-baseUrl').fill(input.baseUrl!);
    await page.getByTestId('account-save').click();
    const error = page.getByTestId('account-form-error');
    await error.waitFor();
    expect(await error.textContent()).toContain(expected.snapshot.error!.message);
    expect(await error.textContent()).not.toContain(input.credentials.apiKey);
    await shot('account-wrong-key');
    expect((await served.api<Account[]>('/api/accounts')).map((a) => a.id)).toEqual(before.map((a) => a.id));
    await page.getByTestId('account-cancel').click();
  });

  it('opens on Usage from the page itself: no first-load request, each opening query asked once', async () => {
    const fresh = await browser.context.newPage();
    const asked: string[] = [];
    fresh.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (!path.startsWith('/api/') || path === '/api/events') return;
      const metric = path === '/api/series' ? ` ${(JSON.parse(r.postData() ?? '{}') as { metric?: string }).metric}` : '';
      asked.push(`${r.method()} ${path}${metric}`);
    });
    await fresh.goto(`${served.url}/?view=usage`);
    await fresh.locator('[data-testid="trend-chart"] canvas[data-drawn]').waitFor();
    await eventually(async () => expect(await fresh.getByTestId('balance-history').getAttribute('aria-busy')).toBe('false'));
    // The page came with info, providers, accounts and statuses; the data block is gone from the document.
    expect(asked.filter((a) => /\/api\/(info|providers|accounts|status)$/.test(a))).toEqual([]);
    expect(await fresh.evaluate(() => document.getElementById('spendbar-first-load'))).toBeNull();
    // Up to the balance history (asked once the trend chart is drawn): the trend, the totals and the filter values
    // once each. The demo's live figures re-query after that, as any new figures do.
    const opening = asked.slice(0, asked.indexOf('POST /api/series balance'));
    expect(opening.filter((a) => a !== 'GET /api/alerts').sort()).toEqual(['GET /api/filters', 'POST /api/series requests', 'POST /api/totals']);
    expect(JSON.parse((await fresh.getByTestId('trend-chart').getAttribute('data-series')) ?? '[]').length).toBeGreaterThan(0);
    await fresh.close();
  });

  it('updates the page when a new snapshot arrives, without a reload', async () => {
    await page.getByTestId('tab-overview').click();
    const card = page.locator('[data-testid="account-card"][data-account-id="demo-openrouter"]');
    await card.waitFor();
    const before = Number(await card.getByTestId('card-updated').getAttribute('data-time'));
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    // Poll from outside the page: only the event stream can tell the page about it.
    await served.api('/api/refresh', { body: { accountId: 'demo-openrouter' } });
    await eventually(async () => expect(Number(await card.getByTestId('card-updated').getAttribute('data-time'))).toBeGreaterThan(before));
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    // "Refresh now" shows the refreshing state while the polls run.
    await page.getByTestId('refresh-now').click();
    await eventually(async () => expect(await page.getByTestId('live-state').getAttribute('data-refreshing')).toBe('false'));
  });

  it('is reachable by keyboard', async () => {
    await page.getByTestId('tab-overview').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('tab-usage').getAttribute('aria-current')).toBe('page');
    const outline = await page.getByTestId('tab-usage').evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');
  });

  it('shows every view at 1280 px, at 360 px and in dark mode without overflow', async () => {
    for (const [mode, width, scheme] of [['1280', 1280, 'light'], ['360', 360, 'light'], ['dark', 1280, 'dark']] as const) {
      const p = await browser.context.newPage();
      await p.setViewportSize({ width, height: 900 });
      await p.emulateMedia({ colorScheme: scheme });
      for (const view of ['overview', 'usage', 'accounts', 'alerts']) {
        await p.goto(`${served.url}/?view=${view}`);
        const ready = { overview: 'spend-chart', usage: 'trend-canvas', accounts: 'account-list', alerts: 'alerts-view' }[view]!;
        await p.getByTestId(ready).first().waitFor();
        expect(await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${view} at ${mode}`).toBeLessThanOrEqual(0);
        await shot(`view-${view}-${mode}`, p);
      }
      await p.close();
    }
  });

  it('works at 360 px wide', async () => {
    const narrow = await browser.context.newPage();
    await narrow.setViewportSize({ width: 360, height: 740 });
    await narrow.goto(served.url);
    await narrow.getByTestId('account-card').first().waitFor();
    const overflow = () => narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot('overview-360', narrow);
    await narrow.getByTestId('tab-usage').click();
    await eventually(async () => expect(JSON.parse((await narrow.getByTestId('trend-chart').getAttribute('data-series')) ?? '[]').length).toBeGreaterThan(0));
    expect(await overflow()).toBeLessThanOrEqual(0);
    const box = await narrow.getByTestId('trend-canvas').boundingBox();
    expect(box!.width).toBeLessThanOrEqual(360);
    await shot('usage-360', narrow);
    // Dark theme follows the OS: the same page with prefers-color-scheme: dark gets the dark palette.
    const background = () => narrow.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await narrow.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).not.toBe(light);
    await shot('usage-360-dark', narrow);
    await narrow.close();
  });
});

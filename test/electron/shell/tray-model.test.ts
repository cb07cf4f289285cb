import { describe, expect, it } from 'vitest';
import { formatRunway, quotaUsed, runwayDays } from '../../../electron/shell/figures.ts';
import {
  accountLine,
  alertSummary,
  glanceText,
  loginItemSupported,
  lowestRunway,
  TOOLTIP_MAX,
  trayIconFile,
  trayIconState,
  trayMenuModel,
  trayTooltip,
  type TrayInput,
} from '../../../electron/shell/tray-model.ts';
import { account, alert, cny, snapshot, status, usd } from '../fixtures.ts';

const base: TrayInput = {
  accounts: [account('or', 'OpenRouter'), account('ds', 'DeepSeek')],
  statuses: [],
  alerts: [],
  glance: { kind: 'today' },
  paused: false,
  launchAtLogin: false,
  loginItemSupported: true,
};

describe('figures', () => {
  it('runway is the one the core served with the status, never recomputed from spend windows', () => {
    expect(runwayDays(status('a', { balance: usd(70), burnPerDay: usd(10) }))).toBeCloseTo(7);
    // Spend today says nothing about the runway: only the served figure counts.
    expect(runwayDays(status('a', { balance: usd(10), today: usd(4) }))).toBeNull();
    expect(runwayDays({ ...status('a', { balance: usd(10) }), runway: null })).toBeNull();
    expect(runwayDays(undefined)).toBeNull();
    expect(quotaUsed(snapshot('a', { quota: { limit: usd(10), used: cny(9) } }))).toBeNull();
  });

  it('quota use is used over limit, unknown when unlimited', () => {
    expect(quotaUsed(snapshot('a', { quota: { limit: usd(100), used: usd(85) } }))).toBeCloseTo(0.85);
    expect(quotaUsed(snapshot('a'))).toBeNull();
  });

  it('formats runway for people', () => {
    expect(formatRunway(6.27)).toBe('6.2 days');
    expect(formatRunway(1)).toBe('1 day');
    expect(formatRunway(23.9)).toBe('23 days');
    expect(formatRunway(800)).toBe('over a year');
  });
});

describe('trayIconState', () => {
  it('is normal with healthy accounts or none', () => {
    expect(trayIconState([], [])).toBe('normal');
    expect(trayIconState([status('or', { balance: usd(100), week: usd(7) })], [])).toBe('normal');
  });

  it('is warning on a low runway or a quota past 80%', () => {
    expect(trayIconState([status('or', { balance: usd(5), week: usd(7) })], [])).toBe('warning');
    expect(trayIconState([status('or', { quota: { limit: usd(10), used: usd(8.5) } })], [])).toBe('warning');
  });

  it('is alert when an account fails, runs dry or is nearly out of quota', () => {
    expect(trayIconState([status('or', { balance: usd(100) }, { failing: true })], [])).toBe('alert');
    expect(trayIconState([status('or', { balance: usd(0) })], [])).toBe('alert');
    expect(trayIconState([status('or', { balance: usd(3), available: false })], [])).toBe('alert');
    expect(trayIconState([status('or', { quota: { limit: usd(10), used: usd(9.6) } })], [])).toBe('alert');
  });

  it('is stale when figures are old but nothing worse is known', () => {
    expect(trayIconState([status('or', { balance: usd(100) }, { stale: true }), status('ds', { balance: usd(9) })], [])).toBe('stale');
    expect(
      trayIconState([status('or', { balance: usd(100) }, { stale: true }), status('ds', { balance: usd(1), week: usd(7) })], []),
    ).toBe('warning');
  });
});

describe('trayIconState with active alerts', () => {
  const healthy = [status('or', { balance: usd(100), week: usd(7) })];
  const stale = [status('or', { balance: usd(100) }, { stale: true })];

  it('turns to alert on any critical alert, even when the figures look fine', () => {
    expect(trayIconState(healthy, [alert(1, 'warning'), alert(2, 'critical')])).toBe('alert');
    expect(trayIconState(stale, [alert(1, 'critical')])).toBe('alert');
  });

  it('turns to at least warning on a warning alert', () => {
    expect(trayIconState(healthy, [alert(1, 'warning')])).toBe('warning');
    expect(trayIconState(stale, [alert(1, 'warning')])).toBe('warning');
    // Worse figures still win over a mere warning alert.
    expect(trayIconState([status('or', { balance: usd(0) })], [alert(1, 'warning')])).toBe('alert');
  });

  it('ignores info alerts and alerts already acknowledged or recovered', () => {
    expect(trayIconState(healthy, [alert(1, 'info')])).toBe('normal');
    expect(trayIconState(healthy, [alert(1, 'critical', { acknowledgedAt: 1_700_000_100_000 })])).toBe('normal');
    expect(trayIconState(stale, [alert(1, 'warning', { kind: 'recovered' })])).toBe('stale');
  });
});

describe('glanceText', () => {
  const statuses = [
    status('or', { balance: usd(12.5), today: usd(1.25), month: usd(30) }),
    status('ds', { balance: cny(110), today: cny(8), month: cny(200) }),
    status('x', { balance: usd(2), today: usd(0.75), month: usd(5) }),
  ];
  const accounts = [account('or'), account('ds'), account('x')];

  it("sums today's spend per currency and never adds CNY to USD", () => {
    expect(glanceText({ accounts, statuses, glance: { kind: 'today' } })).toBe('$2.00 · ¥8.00');
  });

  it("shows this month's spend", () => {
    expect(glanceText({ accounts, statuses, glance: { kind: 'month' } })).toBe('$35.00 · ¥200.00');
  });

  it("shows one account's balance, or a dash when it has none", () => {
    expect(glanceText({ accounts, statuses, glance: { kind: 'balance', accountId: 'ds' } })).toBe('¥110.00');
    expect(glanceText({ accounts, statuses, glance: { kind: 'balance', accountId: 'gone' } })).toBe('—');
  });

  it('keeps showing the last good figures while a provider fails', () => {
    const failing = [status('or', { today: usd(4) }, { failing: true })];
    expect(glanceText({ accounts: [account('or')], statuses: failing, glance: { kind: 'today' } })).toBe('$4.00');
  });

  it('is empty without accounts, so only the icon shows', () => {
    expect(glanceText({ accounts: [], statuses: [], glance: { kind: 'today' } })).toBe('');
  });
});

describe('trayTooltip', () => {
  it("says today's spend per currency and the lowest runway", () => {
    const statuses = [
      status('or', { balance: usd(50), week: usd(35), today: usd(5) }),
      status('ds', { balance: cny(30), week: cny(70), today: cny(10) }),
    ];
    const tip = trayTooltip({ ...base, statuses });
    expect(tip.split('\n')).toEqual(['Spendbar', 'Today: $5.00 · ¥10.00', 'Lowest runway: 3 days (DeepSeek)']);
    expect(lowestRunway({ accounts: base.accounts, statuses })).toBe('3 days (DeepSeek)');
  });

  it('counts failing and stale accounts and says when polling is paused', () => {
    const statuses = [status('or', { balance: usd(1) }, { failing: true }), status('ds', null, { stale: true })];
    const tip = trayTooltip({ ...base, statuses, paused: true });
    expect(tip).toContain('1 account failing');
    expect(tip).toContain('1 account stale');
    expect(tip).toContain('Polling paused');
  });

  it('names a single active alert and counts several', () => {
    const statuses = [status('or', { today: usd(1) })];
    const one = trayTooltip({ ...base, statuses, alerts: [alert(7, 'critical', { title: 'OpenRouter balance below $5.00' })] });
    expect(one.split('\n')).toEqual(['Spendbar', 'Today: $1.00', 'Alert: OpenRouter balance below $5.00']);
    const three = [alert(1, 'warning'), alert(2, 'critical'), alert(3, 'info')];
    expect(trayTooltip({ ...base, statuses, alerts: three })).toContain('3 active alerts');
    expect(alertSummary([alert(1, 'critical', { acknowledgedAt: 5 })])).toBeNull();
  });

  it('fits the Windows limit', () => {
    const accounts = Array.from({ length: 40 }, (_, i) => account(`a${i}`, `Account with a long name ${i}`));
    const statuses = accounts.map((a, i) => status(a.id, { balance: money(i), today: money(1) }, { failing: i % 2 === 0 }));
    function money(n: number) {
      return { micros: (n + 1) * 1_000_000, currency: ['USD', 'EUR', 'GBP', 'CNY', 'JPY'][n % 5] ?? 'USD' };
    }
    expect(trayTooltip({ ...base, accounts, statuses }).length).toBeLessThanOrEqual(TOOLTIP_MAX);
  });
});

describe('trayMenuModel', () => {
  it("lists each account's balance and spend today, then the actions", () => {
    const statuses = [status('or', { balance: usd(12.34), today: usd(1.2) }), status('ds', { balance: cny(5) }, { failing: true })];
    const model = trayMenuModel({ ...base, statuses, paused: true, launchAtLogin: true });
    const labels = model.map((i) => (i.type === 'separator' ? '---' : i.label));
    expect(labels).toEqual([
      'OpenRouter — $12.34 · today $1.20',
      '⚠ DeepSeek — ¥5.00',
      '---',
      'Refresh now',
      'Pause polling',
      '---',
      'Open Spendbar',
      'Launch at login',
      '---',
      'Quit',
    ]);
    const first = model[0];
    expect(first?.type === 'normal' && first.action).toEqual({ kind: 'open-account', accountId: 'or' });
    const pause = model.find((i) => i.type === 'checkbox' && i.label === 'Pause polling');
    expect(pause).toMatchObject({ checked: true, action: { kind: 'toggle-pause' } });
    const refresh = model.find((i) => i.type === 'normal' && i.label === 'Refresh now');
    expect(refresh).toMatchObject({ enabled: false });
    expect(model.find((i) => i.type === 'checkbox' && i.label === 'Launch at login')).toMatchObject({ checked: true, enabled: true });
  });

  it('offers the menu-bar figure only on macOS, the one platform that shows it', () => {
    expect(trayMenuModel(base, 'linux').some((i) => i.type === 'submenu')).toBe(false);
    const picker = trayMenuModel({ ...base, glance: { kind: 'month' } }, 'darwin').find((i) => i.type === 'submenu');
    expect(picker?.type === 'submenu' && picker.items.filter((i) => i.type === 'radio' && i.checked).map((i) => i.type !== 'separator' && i.label)).toEqual(["This month's spend"]);
  });

  it('disables Launch at login where the platform cannot do it', () => {
    const model = trayMenuModel({ ...base, launchAtLogin: true, loginItemSupported: loginItemSupported('linux') });
    expect(model.find((i) => i.type === 'checkbox' && i.label === 'Launch at login')).toMatchObject({ checked: false, enabled: false });
    expect(loginItemSupported('darwin')).toBe(true);
    expect(loginItemSupported('win32')).toBe(true);
  });

  it('offers to add an account when there are none', () => {
    const model = trayMenuModel({ ...base, accounts: [] });
    expect(model[0]).toMatchObject({ type: 'normal', action: { kind: 'open' } });
    expect(model[0]?.type === 'normal' && model[0].label).toMatch(/No accounts yet/);
  });

  it('marks stale accounts and those without a balance', () => {
    expect(accountLine(account('or', 'OR'), status('or', { today: usd(2) }, { stale: true }))).toBe('◌ OR — no balance · today $2.00');
    expect(accountLine(account('or', 'OR'), undefined)).toBe('OR — no balance');
  });
});

describe('trayIconFile', () => {
  it('uses Template images on macOS and light/dark variants elsewhere', () => {
    expect(trayIconFile('alert', 'darwin', true)).toBe('tray-alertTemplate.png');
    expect(trayIconFile('warning', 'linux', true)).toBe('tray-warning-dark.png');
    expect(trayIconFile('stale', 'win32', false)).toBe('tray-stale-light.png');
  });
});

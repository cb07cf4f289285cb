import { describe, expect, it } from 'vitest';
import { addDays, columnLabel, startOfDay } from '../../renderer/lib/zone.ts';

describe('zone arithmetic', () => {
  it('cuts days on the zone’s midnights, across DST', () => {
    expect(startOfDay(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Berlin')).toBe(Date.parse('2026-03-28T23:00:00Z'));
    expect(startOfDay(Date.parse('2026-03-28T23:30:00Z'), 'Europe/Berlin')).toBe(Date.parse('2026-03-28T23:00:00Z'));
    expect(addDays(Date.parse('2026-03-29T12:00:00Z'), 1, 'Europe/Berlin')).toBe(Date.parse('2026-03-29T22:00:00Z'));
    expect(addDays(Date.parse('2026-03-30T12:00:00Z'), -6, 'Europe/Berlin')).toBe(Date.parse('2026-03-23T23:00:00Z'));
    expect(startOfDay(Date.parse('2026-12-01T03:00:00Z'), 'Asia/Shanghai')).toBe(Date.parse('2026-11-30T16:00:00Z'));
    expect(startOfDay(Date.parse('2026-12-01T00:00:00Z'), 'UTC')).toBe(Date.parse('2026-12-01T00:00:00Z'));
  });

  it('labels columns with their dates', () => {
    expect(columnLabel(Date.parse('2026-11-24T00:00:00Z'), 'day', 'UTC')).toBe('Tue 24 Nov');
    expect(columnLabel(Date.parse('2026-11-24T14:00:00Z'), 'hour', 'UTC')).toBe('24 Nov, 14:00');
  });
});

import { describe, expect, it } from '@jest/globals';
import type { Clock } from '../common/clock.js';
import type { AlarmFigures } from './alarm-figures.repository.js';
import { compactInstant, StatisticsService, statisticsToCsv, type Statistics } from './statistics.service.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const service = new StatisticsService({} as AlarmFigures, { now: () => NOW } as Clock);

describe('StatisticsService.range', () => {
  it('defaults to the 7 days up to now, and to 7 days before a given end', () => {
    expect(service.range()).toEqual({ from: new Date('2026-11-30T12:00:00Z'), to: NOW });
    expect(service.range(undefined, '2026-01-08T00:00:00+01:00')).toEqual({ from: new Date('2025-12-31T23:00:00Z'), to: new Date('2026-01-07T23:00:00Z') });
    expect(service.range('2026-12-01T00:00:00Z')).toEqual({ from: new Date('2026-12-01T00:00:00Z'), to: NOW });
  });

  it('refuses an empty or backwards range and one longer than 366 days, naming the parameter', () => {
    expect(() => service.range('2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')).toThrow('from must be before to');
    expect(() => service.range('2026-12-07T13:00:00Z')).toThrow('from must be before to');
    expect(() => service.range('2025-01-01T00:00:00Z', '2026-01-02T00:00:01Z')).toThrow('to must be at most 366 days after from');
    expect(service.range('2025-01-01T00:00:00Z', '2026-01-02T00:00:00Z').to).toEqual(new Date('2026-01-02T00:00:00Z'));
  });
});

describe('statisticsToCsv', () => {
  const figures = (name: string): Statistics => ({
    from: '2026-12-01T00:00:00.000Z',
    to: '2026-12-08T00:00:00.000Z',
    byClass: {
      burglary: {
        alarms: 4,
        falseAlarms: 1,
        firstSmsMs: { p50: 800, p90: 1200, p99: 1500 },
        firstAckMs: null,
        closeMs: null,
        ackWithin30s: 0.25,
        ackWithin60s: 0.5,
      },
    },
    byOperator: { 'a0000000-0000-4000-8000-000000000001': { name, alarms: 2, firstAckMs: { p50: 5000, p90: 9000, p99: 9900 }, closeMs: null } },
    bySite: [{ customerId: 'c0000000-0000-4000-8000-000000000001', name, alarms: 4, falseAlarms: 1, rate: 0.25 }],
    timeline: { bucket: 'hour', points: [] },
  });

  it('writes a header and one row per class, operator and site; nulls as empty cells', () => {
    const lines = statisticsToCsv(figures('Eva Berg')).split('\r\n');
    expect(lines[0]).toBe(
      'group,key,name,alarms,falseAlarms,falseAlarmRate,firstSmsMsP50,firstSmsMsP90,firstSmsMsP99,firstAckMsP50,firstAckMsP90,firstAckMsP99,closeMsP50,closeMsP90,closeMsP99,ackWithin30s,ackWithin60s',
    );
    expect(lines[1]).toBe('class,burglary,,4,1,0.25,800,1200,1500,,,,,,,0.25,0.5');
    expect(lines[2]).toBe('operator,a0000000-0000-4000-8000-000000000001,Eva Berg,2,,,,,,5000,9000,9900,,,,,');
    expect(lines[3]).toBe('site,c0000000-0000-4000-8000-000000000001,Eva Berg,4,1,0.25,,,,,,,,,,,');
    expect(lines[4]).toBe('');
  });

  it.each(['=1+1', '+46 70', '-2', '@SUM(A1)', '\tTab', '\rCR'])('keeps %j from running as a formula', (name) => {
    const lines = statisticsToCsv(figures(name)).split('\r\n');
    const cell = lines[2].split(',')[2];
    expect(cell.replace(/^"|"$/g, '').startsWith(`'${name[0]}`)).toBe(true);
  });

  it('names the file by its range, in a form every file system takes', () => {
    expect(compactInstant('2026-12-01T00:00:00.000Z')).toBe('20261201T000000Z');
  });
});

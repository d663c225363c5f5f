import { describe, expect, it } from '@jest/globals';
import { classify, opensAlarm } from './event-classification.js';

describe('classify', () => {
  it.each([
    ['BA', 'burglary', false],
    ['BH', 'burglary', true],
    ['FA', 'fire', false],
    ['KA', 'fire', false],
    ['GA', 'gas', false],
    ['WA', 'water', false],
    ['ZA', 'water', false],
    ['MA', 'medical', false],
    ['PA', 'panic', false],
    ['HA', 'duress', false],
    ['TA', 'tamper', false],
    ['AT', 'technical', false],
    ['YK', 'technical', true],
    ['RP', 'test', false],
    ['1130', 'burglary', false],
    ['3130', 'burglary', true],
    ['1110', 'fire', false],
    ['1113', 'fire', false],
    ['1154', 'water', false],
    ['1121', 'duress', false],
    ['1120', 'panic', false],
    ['1100', 'medical', false],
    ['1162', 'gas', false],
    ['1137', 'tamper', false],
    ['1301', 'technical', false],
    ['3301', 'technical', true],
    ['1602', 'test', false],
  ] as const)('%s is %s (restore %s)', (code, cls, restore) => {
    expect(classify(code)).toMatchObject({ class: cls, restore });
  });

  it('reads Contact ID opening/closing as disarm/arm, not as restore', () => {
    expect(classify('1401')).toEqual({ class: 'arming', restore: false, arming: 'disarm' });
    expect(classify('3401')).toEqual({ class: 'arming', restore: false, arming: 'arm' });
    expect(classify('OP')).toMatchObject({ class: 'arming', arming: 'disarm' });
    expect(classify('CL')).toMatchObject({ class: 'arming', arming: 'arm' });
  });

  it('accepts what it does not know as unknown, which opens an alarm', () => {
    for (const code of ['QQ', '1199', '9130', 'ba', 'XYZ']) {
      expect(classify(code).class).toBe('unknown');
      expect(opensAlarm(classify(code))).toBe(true);
    }
  });

  it('opens alarms only for new alarm-class events', () => {
    expect(opensAlarm(classify('BA'))).toBe(true);
    expect(opensAlarm(classify('AT'))).toBe(true);
    expect(opensAlarm(classify('BH'))).toBe(false);
    expect(opensAlarm(classify('CL'))).toBe(false);
    expect(opensAlarm(classify('RP'))).toBe(false);
  });
});

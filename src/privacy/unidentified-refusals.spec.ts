import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { UnidentifiedRefusals } from './unidentified-refusals.js';

describe('UnidentifiedRefusals', () => {
  let lines: Array<{ fields: Record<string, unknown>; message: string }>;
  let refusals: UnidentifiedRefusals;
  const login = (n: number) => ({ operation: 'operators.login', httpStatus: 401, requestId: `req-${n}` });

  beforeEach(() => {
    jest.useFakeTimers();
    lines = [];
    refusals = new UnidentifiedRefusals({ warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) }, 3);
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('writes a line per refusal up to the limit, then counts the rest and says how many once the minute is over', () => {
    for (let n = 1; n <= 20; n++) refusals.refused(login(n));
    expect(lines.map((l) => l.fields)).toEqual([login(1), login(2), login(3)]);

    jest.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(4);
    expect(lines[3].fields).toEqual({ operation: 'operators.login', suppressed: 17 });
    expect(lines[3].message).toMatch(/^17 more refusals of operators\.login .*suppressed/);

    // A new minute starts with lines again.
    refusals.refused(login(21));
    expect(lines.at(-1)!.fields).toEqual(login(21));
  });

  it('limits each operation on its own, and says nothing more for a minute that stayed under the limit', () => {
    for (let n = 1; n <= 5; n++) refusals.refused(login(n));
    refusals.refused({ operation: 'sms.inbound', httpStatus: 403, requestId: 'x' });
    expect(lines.map((l) => l.fields.operation)).toEqual(['operators.login', 'operators.login', 'operators.login', 'sms.inbound']);

    jest.advanceTimersByTime(60_000);
    expect(lines.slice(4).map((l) => l.fields)).toEqual([{ operation: 'operators.login', suppressed: 2 }]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { readInbound } from './inbound-text.js';

describe('readInbound', () => {
  it('reads every Twilio opt-out keyword, forgiving case, spaces and punctuation', () => {
    for (const text of ['STOP', 'stop', ' Stop. ', 'STOP!', '"stop"', 'Stop all', 'STOPALL', 'unsubscribe', 'Cancel', 'end', 'QUIT', 'stopp']) {
      expect(readInbound(text).kind).toBe('stop');
    }
  });

  it('reads START, UNSTOP and YES as opting back in', () => {
    for (const text of ['START', 'start!', 'Unstop', 'yes']) expect(readInbound(text).kind).toBe('start');
  });

  it('reads a three-digit reply code as people type it: spaces, quotes, a full stop, full-width digits', () => {
    for (const text of ['123', ' 123 ', '123.', "'123'", '"123"', '1 2 3', '123!', '１２３', '0123']) {
      expect(readInbound(text)).toEqual({ kind: 'code', code: '123' });
    }
  });

  it('reads other digits as a code too (so the sender hears the code is wrong), without leading zeros', () => {
    expect(readInbound('1')).toEqual({ kind: 'code', code: '1' });
    expect(readInbound(" '2' ")).toEqual({ kind: 'code', code: '2' });
    expect(readInbound('012')).toEqual({ kind: 'code', code: '12' });
    expect(readInbound('0')).toEqual({ kind: 'code', code: '0' });
  });

  it('leaves everything else to the help reply', () => {
    for (const text of ['hello', 'please stop the alarm', 'STOP IT NOW', '', '1234567', 'ok 1', '🔥']) {
      expect(readInbound(text)).toEqual({ kind: 'other' });
    }
  });
});

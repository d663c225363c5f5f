import { describe, expect, it } from '@jest/globals';
import { parseEvents } from './dc09-events.js';

describe('parseEvents: SIA-DCS', () => {
  it.each([
    ['#0000|Nri1/NL501', [{ code: 'NL', zone: '501', area: '1' }]],
    ['#000110|Nri1BA503^Volum.Taverna   Appartam.Giorno ^', [{ code: 'BA', zone: '503', area: '1', text: 'Volum.Taverna   Appartam.Giorno ' }]],
    ['#1234|Nid12/OP1', [{ code: 'OP', user: '12', zone: '1' }]],
    ['#1234|NOP12', [{ code: 'OP', user: '12' }]],
    ['|Nri1/CL501', [{ code: 'CL', user: '501', area: '1' }]],
    ['Nri1/WA000', [{ code: 'WA', zone: '000', area: '1' }]],
    ['#3080|Nti19:44/id1/ri4/RP', [{ code: 'RP', user: '1', area: '4' }]],
    ['#0123|Nti20:50:26RP99', [{ code: 'RP', zone: '99' }]],
    ['#123456|Nri0KR1^TAST. 001 ^', [{ code: 'KR', zone: '1', area: '0', text: 'TAST. 001 ' }]],
    ['#1111|Nri2/JC12', [{ code: 'JC', zone: '12', area: '2' }]],
    ['#1234|NBA3|AFront door  ', [{ code: 'BA', zone: '3', text: 'Front door  ' }]],
    ['#1234|NBA503KITCHEN', [{ code: 'BA', zone: '503', text: 'KITCHEN' }]],
    ['#1234|N^Hall^BA2', [{ code: 'BA', zone: '2', text: 'Hall' }]],
    ['#1234|Nri1/BA2/door open', [{ code: 'BA', zone: '2', area: '1', text: 'door open' }]],
  ])('%s', (data, events) => {
    expect(parseEvents('SIA-DCS', data)).toEqual(events);
  });

  it('gives one event per code, with the modifiers before each', () => {
    expect(parseEvents('SIA-DCS', '#1234|Nri1/BA3/BA4')).toEqual([
      { code: 'BA', zone: '3', area: '1' },
      { code: 'BA', zone: '4', area: '1' },
    ]);
    expect(parseEvents('SIA-DCS', '#1234|NBA3/ri2/id7/BA4^Back^/ri3/TA5')).toEqual([
      { code: 'BA', zone: '3' },
      { code: 'BA', zone: '4', area: '2', user: '7', text: 'Back' },
      { code: 'TA', zone: '5', area: '3', user: '7' },
    ]);
    // A code glued to the end of another event (no '/') is an event of its own.
    expect(parseEvents('SIA-DCS', '#006969|Nri04/OP001NM')).toEqual([
      { code: 'OP', user: '001', area: '04' },
      { code: 'NM', area: '04' },
    ]);
    expect(parseEvents('SIA-DCS', '#1|NBA1|Nri2/BA2')).toEqual([
      { code: 'BA', zone: '1' },
      { code: 'BA', zone: '2', area: '2' },
    ]);
  });

  it('keeps at most 200 characters of text', () => {
    const [event] = parseEvents('SIA-DCS', `#1|NBA1^${'x'.repeat(300)}^`);
    expect(event.text).toBe('x'.repeat(200));
  });

  it('stores what it cannot read as one unknown event, and an empty block as none', () => {
    expect(parseEvents('SIA-DCS', '#1234|garbage!!')).toEqual([{ code: '#1234|garbage!!' }]);
    expect(parseEvents('SIA-DCS', `  ${'?'.repeat(300)}`)).toEqual([{ code: '?'.repeat(128) }]);
    expect(parseEvents('SIA-DCS', '#1234|')).toEqual([]);
    expect(parseEvents('SIA-DCS', '')).toEqual([]);
  });
});

describe('parseEvents: ADM-CID', () => {
  it.each([
    ['#1234|1130 01 003', [{ code: '1130', area: '01', zone: '003' }]],
    ['#1234|3401 01 012', [{ code: '3401', area: '01', user: '012' }]],
    ['#8312|1602 00 000', [{ code: '1602', area: '00', zone: '000' }]],
    ['#4F39|3401 01 057', [{ code: '3401', area: '01', user: '057' }]],
    ['#12345A|1110 00 129', [{ code: '1110', area: '00', zone: '129' }]],
    ['#9999|113001003', [{ code: '1130', area: '01', zone: '003' }]],
    [
      '#1|1130 01 003|3130 01 003',
      [
        { code: '1130', area: '01', zone: '003' },
        { code: '3130', area: '01', zone: '003' },
      ],
    ],
    ['#1|1130 01 003^Kitchen^', [{ code: '1130', area: '01', zone: '003', text: 'Kitchen' }]],
  ])('%s', (data, events) => {
    expect(parseEvents('ADM-CID', data)).toEqual(events);
  });

  it('stores what it cannot read as one unknown event', () => {
    expect(parseEvents('ADM-CID', '#1234|hello')).toEqual([{ code: '#1234|hello' }]);
    expect(parseEvents('ADM-CID', '#1234|113 01')).toEqual([{ code: '#1234|113 01' }]);
  });
});

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { parseEvents } from './dc09-events.js';
import {
  MAX_FRAME_BYTES,
  ackFor,
  buildFrame,
  crc16arc,
  duhFor,
  nakFor,
  openFrame,
  parseFrame,
  parseKey,
  parseReply,
  Dc09Splitter,
  type Dc09Frame,
  type SplitItem,
} from './dc09-frame.js';

const framed = (text: string): Buffer => Buffer.from(`\n${text}\r`, 'latin1');
const hex4 = (v: number): string => v.toString(16).toUpperCase().padStart(4, '0');
/** A frame with a correct hex CRC and length around any span, to feed the parser odd spans. */
const withHeader = (span: string): Buffer => {
  const bytes = Buffer.from(span, 'latin1');
  return framed(hex4(crc16arc(bytes)) + hex4(bytes.length) + span);
};

function frameOf(bytes: Buffer): Dc09Frame {
  const parsed = parseFrame(bytes);
  if (!parsed.ok) throw new Error(`frame refused: ${parsed.reason}`);
  return parsed.frame;
}

// Frames as real panels sent them, with the CRC and length they carried (from public bug reports).
const REAL_FRAMES: Array<[source: string, crc: string, length: string, span: string]> = [
  ['Node-RED', 'EAC0', '003A', '"SIA-DCS"1663L0#0000[#0000|Nri1/NL501]_12:40:58,12-22-2021'],
  ['Home Assistant', '01CD', '005F', '"SIA-DCS"1783L0#000110[#000110|Nri1BA503^Volum.Taverna   Appartam.Giorno ^]_11:49:27,01-20-2022'],
  ['Ajax NULL', '7300', '0024', '"NULL"0000L0#1[]_09:15:05,02-25-2020'],
  ['Sigma NULL', 'FE2E', '0013', '"NULL"0000L0#8312[]'],
  ['bare L, ten digits', 'BB86', '002C', '"NULL"0001L#7303658550[]_15:39:38,06-07-2019'],
  ['Pyronix NULL', 'EA74', '0027', '"NULL"0000L0#1409[]_20:38:07,08-27-2026'],
  ['encrypted NULL', '76D8', '0055', '"*NULL"0000R0L0#AAAB[B4BC8B40D0E6D959D6BEA78E88CC0B2155741A3C44FBB96D476A3E557CAD64D9'],
];
const real = (source: string): Buffer => {
  const [, crc, length, span] = REAL_FRAMES.find(([s]) => s === source)!;
  return framed(crc + length + span);
};
/** The 16 ASCII characters 'AAAAAAAAAAAAAAAA' that the encrypted NULL above was made with, as hex. */
const ASCII_A_KEY = parseKey('41'.repeat(16))!;
const KEYS_OTHER = parseKey('42'.repeat(16));

describe('crc16arc', () => {
  it('is CRC-16/ARC', () => {
    expect(crc16arc(Buffer.from('123456789'))).toBe(0xbb3d);
    expect(crc16arc(Buffer.alloc(0))).toBe(0);
  });

  it.each(REAL_FRAMES)('matches the CRC and length a real panel sent (%s)', (_source, crc, length, span) => {
    const bytes = Buffer.from(span, 'latin1');
    expect(hex4(crc16arc(bytes))).toBe(crc);
    expect(hex4(bytes.length)).toBe(length);
    expect(parseFrame(framed(crc + length + span)).ok).toBe(true);
  });
});

describe('parseFrame', () => {
  it('reads the header and keeps the body as sent', () => {
    expect(parseFrame(real('Node-RED'))).toEqual({
      ok: true,
      frame: {
        crcBinary: false,
        id: 'SIA-DCS',
        encrypted: false,
        sequence: '1663',
        receiver: null,
        line: 'L0',
        account: '0000',
        body: '#0000|Nri1/NL501]_12:40:58,12-22-2021',
      },
    });
    expect(frameOf(real('bare L, ten digits'))).toMatchObject({ id: 'NULL', sequence: '0001', line: 'L', account: '7303658550' });
    expect(frameOf(real('encrypted NULL'))).toMatchObject({ id: 'NULL', encrypted: true, receiver: 'R0', line: 'L0', account: 'AAAB' });
  });

  it('reads receiver, line and account of every width, and letters in accounts', () => {
    const frame = frameOf(withHeader('"ADM-CID"9876R579BDFL789ABC#12345A[#12345A|1110 00 129]'));
    expect(frame).toMatchObject({ receiver: 'R579BDF', line: 'L789ABC', account: '12345A' });
    expect(frameOf(withHeader('"SIA-DCS"0002#0123[#0123|Nti20:50:26RP99]'))).toMatchObject({ receiver: null, line: '', account: '0123' });
  });

  it('takes the account from the data when the header has none', () => {
    const frame = frameOf(withHeader('"SIA-DCS"4738R0001L0001[#006969|Nri04/OP001NM]'));
    expect(frame).toMatchObject({ receiver: 'R0001', line: 'L0001', account: '006969' });
    expect(ackFor(frame, null, new Date()).toString('latin1')).toContain('"ACK"4738R0001L0001#006969[]');
  });

  it('refuses a wrong CRC, a wrong length and what is not a frame', () => {
    const good = real('Node-RED');
    const flipped = Buffer.from(good);
    flipped[40] ^= 0x01;
    expect(parseFrame(flipped)).toEqual({ ok: false, reason: 'crc', crcBinary: false });
    expect(parseFrame(framed('EAC00040' + REAL_FRAMES[0][3]))).toEqual({ ok: false, reason: 'length', crcBinary: false });
    // One more than the span is how panels that count the CR write it; with the standard CRC it is still a wrong length.
    expect(parseFrame(framed('EAC0003B' + REAL_FRAMES[0][3]))).toEqual({ ok: false, reason: 'length', crcBinary: false });
    expect(parseFrame(good.subarray(1))).toMatchObject({ ok: false, reason: 'format' });
    expect(parseFrame(good.subarray(0, good.length - 1))).toMatchObject({ ok: false, reason: 'format' });
    expect(parseFrame(withHeader('"SIA-DCS"12L0#1[#1|NBA1]'))).toMatchObject({ ok: false, reason: 'format' });
    expect(parseFrame(Buffer.from('\n\r'))).toMatchObject({ ok: false, reason: 'format' });
  });

  it('accepts panels (Eldes) that count the CR in the length and the CRC, with one CR or two', () => {
    // As an Eldes panel sent it: the length 0x2B is the 42-byte span plus the CR.
    const eldes = framed('F19A002B"ADM-CID"0056L9999#9999[#9999|1900 00 001]');
    const frame = frameOf(eldes);
    expect(frame).toMatchObject({ id: 'ADM-CID', sequence: '0056', line: 'L9999', account: '9999', body: '#9999|1900 00 001]' });
    const twoCrs = Buffer.concat([eldes, Buffer.from('\r')]);
    expect(frameOf(twoCrs).body).toBe('#9999|1900 00 001]');
    expect(new Dc09Splitter().push(eldes)).toEqual([{ kind: 'frame', bytes: eldes }]);
    expect(new Dc09Splitter().push(twoCrs)).toEqual([{ kind: 'frame', bytes: twoCrs }]);
  });

  it('reads a binary CRC, and reports the form when refusing', () => {
    const frame = buildFrame({ id: 'SIA-DCS', sequence: 7, account: '1234', data: '#1234|Nri1/BA3', crcBinary: true });
    expect(frame[7]).toBe(0x22);
    expect(frame.readUInt16BE(1)).toBe(crc16arc(frame.subarray(7, frame.length - 1)));
    expect(frameOf(frame)).toMatchObject({ crcBinary: true, sequence: '0007', account: '1234', body: '#1234|Nri1/BA3]' });
    const broken = Buffer.from(frame);
    broken[2] ^= 0xff;
    expect(parseFrame(broken)).toEqual({ ok: false, reason: 'crc', crcBinary: true });
  });
});

describe('openFrame', () => {
  it('splits plain data, extra blocks and the UTC timestamp', () => {
    expect(openFrame(frameOf(real('Node-RED')), null)).toEqual({
      ok: true,
      content: { data: '#0000|Nri1/NL501', extra: [], timestamp: new Date('2021-12-22T12:40:58Z') },
    });
    expect(openFrame(frameOf(real('Home Assistant')), null)).toEqual({
      ok: true,
      content: {
        data: '#000110|Nri1BA503^Volum.Taverna   Appartam.Giorno ^',
        extra: [],
        timestamp: new Date('2022-01-20T11:49:27Z'),
      },
    });
    expect(openFrame(frameOf(real('Sigma NULL')), null)).toEqual({ ok: true, content: { data: '', extra: [], timestamp: null } });
    const xdata = withHeader('"SIA-DCS"0004L0#1111[#1111|Nri1/PA501][X006E07.7777777][Y49N06.6666666]_20:45:46,04-22-2021');
    expect(openFrame(frameOf(xdata), null)).toEqual({
      ok: true,
      content: { data: '#1111|Nri1/PA501', extra: ['[X006E07.7777777]', '[Y49N06.6666666]'], timestamp: new Date('2021-04-22T20:45:46Z') },
    });
  });

  it('refuses a plain body without its closing bracket or with an impossible timestamp', () => {
    expect(openFrame(frameOf(withHeader('"SIA-DCS"0001L0#1[#1|NBA1')), null)).toEqual({ ok: false, reason: 'format' });
    expect(openFrame(frameOf(withHeader('"SIA-DCS"0001L0#1[#1|NBA1]_25:00:00,01-01-2024')), null)).toEqual({ ok: false, reason: 'format' });
    expect(openFrame(frameOf(withHeader('"SIA-DCS"0001L0#1[#1|NBA1]_10:00:00,02-30-2024')), null)).toEqual({ ok: false, reason: 'format' });
  });

  it('decrypts a real encrypted NULL (Hikvision-style pad of p without |)', () => {
    expect(openFrame(frameOf(real('encrypted NULL')), ASCII_A_KEY)).toEqual({
      ok: true,
      content: { data: '', extra: [], timestamp: new Date('2020-07-05T18:24:52Z') },
    });
  });

  it('answers decrypt for a wrong key, no key, or a body that is not whole AES blocks', () => {
    const frame = frameOf(real('encrypted NULL'));
    expect(openFrame(frame, parseKey('42'.repeat(16)))).toEqual({ ok: false, reason: 'decrypt' });
    expect(openFrame(frame, parseKey('41'.repeat(32)))).toEqual({ ok: false, reason: 'decrypt' });
    expect(openFrame(frame, null)).toEqual({ ok: false, reason: 'decrypt' });
    expect(openFrame(frameOf(withHeader('"*SIA-DCS"0001L0#1[ABCD')), ASCII_A_KEY)).toEqual({ ok: false, reason: 'decrypt' });
    expect(openFrame(frameOf(withHeader('"*NULL"0001L0#1[')), ASCII_A_KEY)).toEqual({ ok: false, reason: 'decrypt' });
  });

  const KEYS = [
    parseKey('000102030405060708090A0B0C0D0E0F')!,
    parseKey('F0E1D2C3B4A5968778695A4B3C2D1E0F0011223344556677')!,
    parseKey('603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4')!,
  ];
  const WHEN = new Date('2024-02-29T23:59:58Z');
  const CASES = [
    { id: 'SIA-DCS', sequence: 42, line: 'L', account: '1', data: '#1|Nri1/BA3/BA4', extra: ['[X015E14.9]', '[Y59N23.1]'] },
    { id: 'ADM-CID', sequence: '9999', receiver: 'R1A', account: '0123456789', data: '#0123456789|1130 01 003' },
    { id: 'NULL', sequence: 0, receiver: 'R0', account: 'AB12', data: '' },
    { id: 'SIA-DCS', sequence: 1, account: '77', data: '#77|Nri1BA5^Hall ] [ | # ^', crcBinary: true },
  ];

  for (const key of KEYS) {
    for (const pad of ['standard', 'hikvision', 'random'] as const) {
      it(`round-trips AES-${key.length * 8} frames with ${pad} pads`, () => {
        // Random pads differ every time; repeat to meet pads holding ']', '[', '|' and '#'.
        for (let round = 0; round < (pad === 'hikvision' ? 1 : 50); round++) {
          for (const c of CASES) {
            const bytes = buildFrame({ ...c, key, pad, timestamp: WHEN });
            const frame = frameOf(bytes);
            expect(frame).toMatchObject({ id: c.id, encrypted: true, account: c.account, crcBinary: c.crcBinary ?? false });
            expect(frame.body).toMatch(/^(?:[0-9A-F]{32})+$/);
            expect(openFrame(frame, key)).toEqual({ ok: true, content: { data: c.data, extra: c.extra ?? [], timestamp: WHEN } });
            expect(openFrame(frame, KEYS[(KEYS.indexOf(key) + 1) % 3])).toEqual({ ok: false, reason: 'decrypt' });
          }
        }
      });
    }
  }

  it('finds data without an account in it behind standard and Hikvision pads', () => {
    const cases = [
      ['standard', 'Nri1/BA3'],
      ['standard', '|Nri1/CL501'],
      ['hikvision', 'Nri1/BA3'],
    ] as const;
    for (const [pad, data] of cases) {
      const frame = frameOf(buildFrame({ id: 'SIA-DCS', sequence: 5, account: '1234', data, key: KEYS[0], pad, timestamp: WHEN }));
      expect(openFrame(frame, KEYS[0])).toMatchObject({ ok: true, content: { data } });
    }
  });

  /** An encrypted frame around any plaintext, padded in front with 'x' up to whole AES blocks. */
  function encryptedFrame(header: string, padEnd: string, tail: string, key: Buffer): Buffer {
    const length = padEnd.length + tail.length;
    const plain = 'x'.repeat((16 - (length % 16)) % 16) + padEnd + tail;
    const cipher = createCipheriv(`aes-${key.length * 8}-cbc`, key, Buffer.alloc(16)).setAutoPadding(false);
    return withHeader(
      header +
        Buffer.concat([cipher.update(Buffer.from(plain, 'latin1')), cipher.final()])
          .toString('hex')
          .toUpperCase(),
    );
  }
  function decryptedBody(bytes: Buffer, key: Buffer): string {
    const decipher = createDecipheriv(`aes-${key.length * 8}-cbc`, key, Buffer.alloc(16)).setAutoPadding(false);
    return Buffer.concat([decipher.update(Buffer.from(frameOf(bytes).body, 'hex')), decipher.final()]).toString('latin1');
  }

  it.each([
    ['a pad ending like the account', '"*SIA-DCS"0001L0#1[', 'q#1', '|#1|Nri1/BA3]', '#1|Nri1/BA3', []],
    ['a pad of brackets and bars', '"*SIA-DCS"0001L0#1[', ']_[|][', '|#1|Nri1/BA3][X1]', '#1|Nri1/BA3', ['[X1]']],
    ['data naming another account', '"*SIA-DCS"0084L0#AAA[', 'P$|WwA!#', '|#EA1984|Nri1/NL4]', '#EA1984|Nri1/NL4', []],
    ['a Hikvision pad before an event', '"*SIA-DCS"0002R0L0#1234[', 'ppp', '#1234|Nri1/BA3]', '#1234|Nri1/BA3', []],
    ['an empty data block after a pad holding |', '"*NULL"0000L0#1[', 'a|b', '|]', '', []],
    ['an empty data block after a pad holding ][', '"*NULL"0000L0#1[', 'a][b', '|]', '', []],
    ['an empty data block after a pad ending like an account', '"*NULL"0000L0#AB12[', 'a|#4', '|]', '', []],
  ])('opens encrypted data behind %s', (_name, header, padEnd, tail, data, extra) => {
    const frame = frameOf(encryptedFrame(header, padEnd, `${tail}_10:00:00,01-01-2024`, KEYS[2]));
    expect(openFrame(frame, KEYS[2])).toEqual({ ok: true, content: { data, extra, timestamp: new Date('2024-01-01T10:00:00Z') } });
  });

  it('pads as the standard, Hikvision and Ajax do', () => {
    const build = (pad: 'standard' | 'hikvision' | 'random'): string =>
      decryptedBody(buildFrame({ id: 'SIA-DCS', sequence: 1, account: '1', data: '#1|NBA1', key: KEYS[1], pad, timestamp: WHEN }), KEYS[1]);
    const tail = '#1|NBA1]_23:59:58,02-29-2024';
    expect(build('standard')).toMatch(/^[0-9A-Za-z]{3}\|#1\|NBA1\]_23:59:58,02-29-2024$/);
    expect(build('hikvision')).toBe(`pppp${tail}`);
    expect(build('random')).toMatch(/^[\s\S]{3}\|#1\|NBA1\]_23:59:58,02-29-2024$/);
  });

  it('round-trips plain frames as built', () => {
    const bytes = buildFrame({ id: 'SIA-DCS', sequence: 12, line: 'L', account: '1', data: '#1|Nri2/OP3', extra: ['[M0026B9E4268B]'], timestamp: WHEN });
    expect(bytes.toString('latin1')).toBe(`\n${hex4(crc16arc(bytes.subarray(9, -1)))}0040"SIA-DCS"0012L#1[#1|Nri2/OP3][M0026B9E4268B]_23:59:58,02-29-2024\r`);
    expect(openFrame(frameOf(bytes), null)).toEqual({ ok: true, content: { data: '#1|Nri2/OP3', extra: ['[M0026B9E4268B]'], timestamp: WHEN } });
  });
});

describe('parseKey', () => {
  it('takes 32, 48 or 64 hex digits', () => {
    expect(parseKey('00112233445566778899aabbccddeeff')?.toString('hex')).toBe('00112233445566778899aabbccddeeff');
    expect(parseKey('A'.repeat(48))?.length).toBe(24);
    expect(parseKey(` ${'b'.repeat(64)}\n`)?.length).toBe(32);
    for (const bad of ['', 'A'.repeat(31), 'A'.repeat(40), 'AAAAAAAAAAAAAAAA', 'G'.repeat(32), 'A'.repeat(66)]) {
      expect(parseKey(bad)).toBeNull();
    }
  });
});

describe('replies', () => {
  const NOW = new Date('2019-05-07T15:39:35Z');

  it('acknowledges exactly as receivers that real panels accepted', () => {
    expect(ackFor(frameOf(real('Node-RED')), null, NOW)).toEqual(framed('444D0012"ACK"1663L0#0000[]'));
    expect(ackFor(frameOf(real('Ajax NULL')), null, NOW)).toEqual(framed('A4D5000F"ACK"0000L0#1[]'));
    expect(ackFor(frameOf(real('Pyronix NULL')), null, NOW)).toEqual(framed('59890012"ACK"0000L0#1409[]'));
  });

  it('echoes receiver and a bare line exactly', () => {
    const frame = frameOf(withHeader('"SIA-DCS"0815R1AL#0042[#0042|NBA1]'));
    expect(ackFor(frame, null, NOW).toString('latin1')).toMatch(/^\n[0-9A-F]{8}"ACK"0815R1AL#0042\[\]\r$/);
    expect(duhFor(frame).toString('latin1')).toMatch(/^\n[0-9A-F]{8}"DUH"0815R1AL#0042\[\]\r$/);
  });

  it('NAKs with the UTC time, as a receiver panels set their clocks from', () => {
    expect(nakFor(NOW, false)).toEqual(framed('3C3B0025"NAK"0000R0L0A0[]_15:39:35,05-07-2019'));
    const binary = nakFor(NOW, true);
    expect(binary.subarray(3).toString('latin1')).toBe('0025"NAK"0000R0L0A0[]_15:39:35,05-07-2019\r');
    expect(binary.readUInt16BE(1)).toBe(0x3c3b);
    expect(parseReply(binary, null)).toEqual({ ok: true, kind: 'NAK', sequence: '0000', encrypted: false, account: '', timestamp: NOW });
  });

  it('encrypts the ACK of an encrypted frame as pad|]_timestamp in the same key', () => {
    const frame = frameOf(real('encrypted NULL'));
    const ack = ackFor(frame, ASCII_A_KEY, NOW);
    const text = ack.toString('latin1');
    expect(text).toMatch(/^\n[0-9A-F]{8}"\*ACK"0000R0L0#AAAB\[(?:[0-9A-F]{32})+\r$/);
    expect(parseReply(ack, ASCII_A_KEY)).toEqual({ ok: true, kind: 'ACK', sequence: '0000', encrypted: true, account: 'AAAB', timestamp: NOW });
    expect(parseReply(ack, KEYS_OTHER)).toEqual({ ok: false, reason: 'decrypt' });
    const cipherText = Buffer.from(text.slice(text.indexOf('[') + 1, -1), 'hex');
    const decipher = createDecipheriv('aes-128-cbc', ASCII_A_KEY, Buffer.alloc(16)).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(cipherText), decipher.final()]).toString('latin1');
    expect(plain).toMatch(/^[0-9A-Za-z]{10}\|\]_15:39:35,05-07-2019$/);
    expect(() => ackFor(frame, null, NOW)).toThrow();
  });

  it('answers a binary-CRC panel in binary CRC', () => {
    const frame = frameOf(buildFrame({ id: 'NULL', sequence: 3, account: '55', data: '', crcBinary: true }));
    for (const reply of [ackFor(frame, null, NOW), duhFor(frame)]) {
      expect(reply[7]).toBe(0x22);
      expect(parseFrame(reply)).toMatchObject({ ok: true, frame: { crcBinary: true, sequence: '0003', account: '55' } });
    }
  });
});

describe('Dc09Splitter', () => {
  const a = real('Node-RED');
  const b = real('Ajax NULL');
  const frames = (items: SplitItem[]): Buffer[] => items.flatMap((i) => (i.kind === 'frame' ? [i.bytes] : []));

  it('splits two frames in one chunk', () => {
    const s = new Dc09Splitter();
    expect(s.push(Buffer.concat([a, b]))).toEqual([
      { kind: 'frame', bytes: a },
      { kind: 'frame', bytes: b },
    ]);
    expect(s.buffered).toBe(0);
  });

  it('joins a frame that arrives byte by byte', () => {
    const s = new Dc09Splitter();
    const encrypted = buildFrame({ id: 'SIA-DCS', sequence: 9, account: '9', data: '#9|NBA1', key: ASCII_A_KEY, timestamp: new Date() });
    const out: SplitItem[] = [];
    for (const byte of Buffer.concat([a, encrypted, b])) {
      out.push(...s.push(Buffer.from([byte])));
      expect(s.buffered).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    }
    expect(out).toEqual([a, encrypted, b].map((bytes) => ({ kind: 'frame', bytes })));
    expect(s.buffered).toBe(0);
  });

  it('counts garbage before and between frames, and a NUL some panels send after the CR', () => {
    const s = new Dc09Splitter();
    expect(s.push(Buffer.concat([Buffer.from('hello'), a, Buffer.from('\r\0xx'), b, Buffer.from([0])]))).toEqual([
      { kind: 'garbage', bytes: 5 },
      { kind: 'frame', bytes: a },
      { kind: 'garbage', bytes: 4 },
      { kind: 'frame', bytes: b },
      { kind: 'garbage', bytes: 1 },
    ]);
  });

  it('drops a stray LF that does not start a frame', () => {
    expect(new Dc09Splitter().push(Buffer.concat([Buffer.from('\n\n'), a]))).toEqual([
      { kind: 'garbage', bytes: 1 },
      { kind: 'garbage', bytes: 1 },
      { kind: 'frame', bytes: a },
    ]);
  });

  it('drops a frame that grows past the cap and holds no more than the cap', () => {
    for (const start of ['\n', '\nEAC00FFF"SIA-DCS"']) {
      const s = new Dc09Splitter();
      const out: SplitItem[] = [];
      out.push(...s.push(Buffer.from(start)));
      for (let i = 0; i < 100; i++) {
        out.push(...s.push(Buffer.alloc(100, 'A')));
        expect(s.buffered).toBeLessThanOrEqual(MAX_FRAME_BYTES);
      }
      out.push(...s.push(a));
      expect(out.filter((i) => i.kind === 'oversized')).toEqual([{ kind: 'oversized', bytes: MAX_FRAME_BYTES }]);
      expect(frames(out)).toEqual([a]);
      const total = out.reduce((sum, i) => sum + (i.kind === 'frame' ? i.bytes.length : i.bytes), 0);
      expect(total).toBe(start.length + 10_000 + a.length);
    }
  });

  it('is not fooled by binary CRC bytes that are LF or CR', () => {
    const withCrcByte = (byte: number, at: 1 | 2): Buffer => {
      for (let seq = 0; seq < 10_000; seq++) {
        const f = buildFrame({ id: 'SIA-DCS', sequence: seq, account: '1234', data: '#1234|Nri1/BA3', crcBinary: true });
        if (f[at] === byte) return f;
      }
      throw new Error('no such frame');
    };
    const tricky = [withCrcByte(0x0a, 1), withCrcByte(0x0d, 1), withCrcByte(0x0a, 2), withCrcByte(0x0d, 2)];
    const stream = Buffer.concat([Buffer.from('junk'), ...tricky.flatMap((f) => [f, a])]);
    const expected = tricky.flatMap((f) => [f, a]);
    expect(frames(new Dc09Splitter().push(stream))).toEqual(expected);
    const s = new Dc09Splitter();
    const out = [...stream].flatMap((byte) => s.push(Buffer.from([byte])));
    expect(frames(out)).toEqual(expected);
    for (const f of tricky) expect(parseFrame(f)).toMatchObject({ ok: true, frame: { crcBinary: true } });
  });

  it('still delivers a frame with a wrong length as one frame, so it can be NAKed', () => {
    const span = REAL_FRAMES[0][3];
    const tooShort = framed('EAC00030' + span);
    expect(new Dc09Splitter().push(tooShort)).toEqual([{ kind: 'frame', bytes: tooShort }]);
    const tooLong = framed('EAC00050' + span);
    // The CR ends it at once, whatever the length says: the panel gets its NAK now, not never.
    const s = new Dc09Splitter();
    expect(s.push(tooLong)).toEqual([{ kind: 'frame', bytes: tooLong }]);
    expect(s.buffered).toBe(0);
    expect(parseFrame(tooShort)).toMatchObject({ ok: false, reason: 'length' });
    expect(parseFrame(tooLong)).toMatchObject({ ok: false, reason: 'length' });
  });
});

describe('fuzz', () => {
  /** mulberry32: small seeded PRNG so a failure names an iteration that reproduces. */
  function prng(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('never throws on random bytes, truncations and mutations of real frames', () => {
    const random = prng(0xdc09);
    const int = (n: number): number => Math.floor(random() * n);
    const key = parseKey('000102030405060708090A0B0C0D0E0F')!;
    const when = new Date('2024-01-01T00:00:00Z');
    const corpus = [
      ...REAL_FRAMES.map(([, crc, length, span]) => framed(crc + length + span)),
      framed('F19A002B"ADM-CID"0056L9999#9999[#9999|1900 00 001]'),
      buildFrame({ id: 'ADM-CID', sequence: 1, account: '1', data: '#1|1130 01 003', key, timestamp: when, pad: 'random' }),
      buildFrame({ id: 'SIA-DCS', sequence: 2, account: '22', data: '#22|Nri1/BA3^x^|Atext', extra: ['[X1]'], crcBinary: true }),
    ];
    const alphabet = Buffer.from('\n\r"*[]|^/#_:,-0123456789ABCDEFLRNri NULLSIA-DCSADM-CID');
    const splitter = new Dc09Splitter(); // one long-lived splitter carries state across iterations
    let pushed = 0;
    let accounted = 0;
    for (let iteration = 0; iteration < 20_000; iteration++) {
      try {
        const source = corpus[int(corpus.length)];
        let input: Buffer;
        switch (iteration % 4) {
          case 0:
            input = Buffer.from(Array.from({ length: int(200) }, () => (random() < 0.5 ? int(256) : alphabet[int(alphabet.length)])));
            break;
          case 1:
            input = source.subarray(int(source.length), int(source.length + 1));
            break;
          default:
            input = Buffer.from(source);
            input[int(input.length)] = random() < 0.5 ? int(256) : alphabet[int(alphabet.length)];
        }
        const items: SplitItem[] = [];
        for (let at = 0; at < input.length;) {
          const size = 1 + int(input.length);
          items.push(...splitter.push(input.subarray(at, at + size)));
          at += size;
        }
        pushed += input.length;
        for (const item of items) {
          accounted += item.kind === 'frame' ? item.bytes.length : item.bytes;
          if (item.kind !== 'frame') continue;
          for (const bytes of [item.bytes, input]) {
            const parsed = parseFrame(bytes);
            if (!parsed.ok) continue;
            const opened = openFrame(parsed.frame, random() < 0.8 ? key : ASCII_A_KEY);
            if (opened.ok && (parsed.frame.id === 'SIA-DCS' || parsed.frame.id === 'ADM-CID')) parseEvents(parsed.frame.id, opened.content.data);
            ackFor(parsed.frame, key, when);
            duhFor(parsed.frame);
          }
        }
        parseEvents(random() < 0.5 ? 'SIA-DCS' : 'ADM-CID', input.toString('latin1'));
        expect(splitter.buffered).toBeLessThanOrEqual(MAX_FRAME_BYTES);
        expect(accounted + splitter.buffered).toBe(pushed);
      } catch (error) {
        throw new Error(`fuzz iteration ${iteration}: ${String(error)}`, { cause: error });
      }
    }
  });
});

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/*
 * SIA DC-09 frames: <LF> CRC 0LLL "ID" seq [Rrcvr] Lpref #acct [data][xdata]..._timestamp <CR>, where
 * CRC-16/ARC and the length cover the span from the opening quote to the last byte before the CR.
 * Nothing here throws on what a panel sends; only building from impossible arguments throws.
 */

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * The length field is `0LLL`, so a span holds at most 0xFFF bytes and a whole frame at most
 * 0xFFF + 10 (LF, eight header characters, CR) = 4105 bytes. The cap sits a little above that:
 * every legal frame fits, and a connection that never sends a CR costs no more than this.
 */
export const MAX_FRAME_BYTES = 4096 + 64;

const CRC_TABLE = Uint16Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  return c;
});

/** CRC-16/ARC: reflected polynomial 0xA001, initial 0, no final xor. */
export function crc16arc(bytes: Buffer): number {
  let crc = 0;
  for (const b of bytes) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ b) & 0xff];
  return crc;
}

export type SplitItem = { kind: 'frame'; bytes: Buffer } | { kind: 'garbage'; bytes: number } | { kind: 'oversized'; bytes: number };

const isHex = (b: Buffer, from: number, to: number): boolean => /^[0-9A-Fa-f]+$/.test(b.toString('latin1', from, to));

/**
 * Where the span's opening quote stands: 9 after four hex CRC digits, 7 after the two raw CRC bytes
 * some panels send; null when neither fits, undefined while too few bytes have arrived to tell.
 */
function quoteIndex(b: Buffer, n: number): number | null | undefined {
  if (n >= 8 && b[7] === QUOTE && isHex(b, 3, 7)) return 7;
  if (n < 10) return undefined;
  return b[9] === QUOTE && isHex(b, 1, 9) ? 9 : null;
}

const spanLength = (b: Buffer, quote: number): number => parseInt(b.toString('latin1', quote - 4, quote), 16);

/** Where the frame held in b[0..n) ends (its CR), where a new frame really starts, or null to wait. */
function findCut(b: Buffer, n: number): { at: number; frame: boolean } | null {
  const quote = quoteIndex(b, n);
  if (quote === undefined) return null;
  if (quote === null) {
    // No header to go by: run to the next CR, unless an LF comes first and shows our LF was noise.
    for (let i = 1; i < n; i++) {
      if (b[i] === CR) return { at: i, frame: true };
      if (b[i] === LF) return { at: i, frame: false };
    }
    return null;
  }
  // Binary CRC bytes may be 0x0A or 0x0D, so the header, not a scan from the LF, says where the span starts.
  const end = quote + spanLength(b, quote);
  if (end < n && b[end] === CR) return { at: end, frame: true };
  // Some panels count the CR in the length (and the CRC): then the length points just past it.
  if (end - 1 > quote && end - 1 < n && b[end - 1] === CR) return { at: end - 1, frame: true };
  // After the quote everything is text (or hex ciphertext), so a CR there can only end the frame:
  // a length that points elsewhere is the panel's mistake, and the frame is cut at the CR so that
  // parseFrame refuses it (NAK) now, rather than the panel waiting for an answer that never comes.
  const cr = b.subarray(0, n).indexOf(CR, quote + 1);
  if (cr < 0) return null;
  return { at: cr, frame: true };
}

/**
 * Byte-stream splitter for TCP: many frames per connection, frames split over reads, several in one
 * read. Memory bounded: never buffers more than MAX_FRAME_BYTES.
 */
export class Dc09Splitter {
  /** Only while part of a frame is held: an idle connection (most of them, most of the time) holds nothing. */
  private held: Buffer | null = null;
  private length = 0;

  get buffered(): number {
    return this.length;
  }

  push(chunk: Buffer): SplitItem[] {
    const items: SplitItem[] = [];
    let rest = chunk;
    while (rest.length > 0) rest = this.take(rest, items);
    return items;
  }

  /** Consumes the start of `data` and returns what is still to be looked at. */
  private take(data: Buffer, items: SplitItem[]): Buffer {
    if (this.length === 0) {
      const lf = data.indexOf(LF);
      const skipped = lf < 0 ? data.length : lf;
      if (skipped > 0) items.push({ kind: 'garbage', bytes: skipped });
      if (lf < 0) return data.subarray(data.length);
      data = data.subarray(lf);
    }
    const held = (this.held ??= Buffer.allocUnsafe(MAX_FRAME_BYTES));
    const taken = Math.min(data.length, MAX_FRAME_BYTES - this.length);
    data.copy(held, this.length, 0, taken);
    this.length += taken;
    const rest = data.subarray(taken);
    const cut = findCut(held, this.length);
    if (!cut) {
      if (this.length < MAX_FRAME_BYTES) return rest;
      items.push({ kind: 'oversized', bytes: this.length });
      this.release(); // what follows, up to the next LF, is counted as garbage
      return rest;
    }
    const next = cut.frame ? cut.at + 1 : cut.at;
    items.push(cut.frame ? { kind: 'frame', bytes: Buffer.from(held.subarray(0, next)) } : { kind: 'garbage', bytes: next });
    const leftover = Buffer.from(held.subarray(next, this.length));
    this.release();
    return leftover.length > 0 ? Buffer.concat([leftover, rest]) : rest;
  }

  private release(): void {
    this.held = null;
    this.length = 0;
  }
}

export interface Dc09Frame {
  /** Two raw CRC bytes instead of four hex digits; replies use the same form. */
  crcBinary: boolean;
  /** Without the '*': 'SIA-DCS' | 'ADM-CID' | 'NULL' | anything else sent. */
  id: string;
  encrypted: boolean;
  /** Four digits exactly as sent. */
  sequence: string;
  /** E.g. 'R0' or 'R1A' exactly as sent; null when absent. */
  receiver: string | null;
  /** E.g. 'L0' or a bare 'L' exactly as sent; '' when absent. */
  line: string;
  /** Exactly as sent, leading zeros kept. A plain frame without `#acct` in its header takes it from its data. */
  account: string;
  /** After the header's '[' up to the CR (latin1): plain `#acct|...]` + xdata + timestamp, or the hex ciphertext. */
  body: string;
}

export type ParsedFrame = { ok: true; frame: Dc09Frame } | { ok: false; reason: 'crc' | 'length' | 'format'; crcBinary: boolean };

const HEADER = /^"(\*?)([^"*\s]{1,32})"(\d{4})(R[0-9A-Fa-f]{0,6})?(L[0-9A-Fa-f]{0,6})?(?:#([0-9A-Za-z]{1,16}))?\[/;
const DATA_ACCOUNT = /^#([0-9A-Za-z]{1,16})\|/;

/** Checks LF/CR, CRC and length and reads the header. Never throws, whatever the bytes. */
export function parseFrame(bytes: Buffer): ParsedFrame {
  const n = bytes.length;
  const quote = n >= 10 && bytes[0] === LF && bytes[n - 1] === CR ? quoteIndex(bytes, n) : null;
  if (quote == null) return { ok: false, reason: 'format', crcBinary: false };
  const crcBinary = quote === 7;
  const fail = (reason: 'crc' | 'length' | 'format'): ParsedFrame => ({ ok: false, reason, crcBinary });
  const sentCrc = crcBinary ? bytes.readUInt16BE(1) : parseInt(bytes.toString('latin1', 1, 5), 16);
  const length = spanLength(bytes, quote);
  const span = bytes.subarray(quote, n - 1);
  // The standard span excludes the CR; some panels (Eldes) count it in both the length and the CRC.
  const withCr = bytes.subarray(quote, n);
  if (length === span.length) {
    if (sentCrc !== crc16arc(span)) return fail('crc');
  } else if (length !== withCr.length) return fail('length');
  else if (sentCrc !== crc16arc(withCr)) return fail(sentCrc === crc16arc(span) ? 'length' : 'crc');

  // A panel that counts the CR may also send a second one, which then ends up inside the span.
  const text = span.toString('latin1').replace(/\r$/, '');
  const m = HEADER.exec(text);
  if (!m) return fail('format');
  const encrypted = m[1] === '*';
  const body = text.slice(m[0].length);
  const account = m[6] ?? (encrypted ? undefined : DATA_ACCOUNT.exec(body)?.[1]) ?? '';
  return {
    ok: true,
    frame: { crcBinary, id: m[2], encrypted, sequence: m[3], receiver: m[4] ?? null, line: m[5] ?? '', account, body },
  };
}

export interface Dc09Content {
  /** Between '[' and its ']'; for an encrypted frame without the pad and the '|' after it. */
  data: string;
  /** Each extra block as sent, brackets included, e.g. '[X015E14.9]'. */
  extra: string[];
  /** `_HH:MM:SS,MM-DD-YYYY`, UTC; null when absent. */
  timestamp: Date | null;
}

export type OpenedFrame = { ok: true; content: Dc09Content } | { ok: false; reason: 'decrypt' | 'format' };

const TIMESTAMP_AT_END = /_(\d\d):(\d\d):(\d\d),(\d\d)-(\d\d)-(\d{4})$/;

function utcDate(m: RegExpExecArray): Date | null {
  const [h, mi, s, mo, d, y] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 02-30 over into March and 24:00 into the next day; a rolled-over date is refused.
  const exact = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCHours() === h;
  return exact && mi < 60 && s < 60 ? date : null;
}

/** Reads `data]` + extra blocks + timestamp from the end, since only the end has a fixed shape. */
function splitContent(text: string): Dc09Content | null {
  let end = text.length;
  let timestamp: Date | null = null;
  const t = TIMESTAMP_AT_END.exec(text);
  if (t) {
    timestamp = utcDate(t);
    if (!timestamp) return null;
    end = t.index;
  }
  const extra: string[] = [];
  while (text[end - 1] === ']') {
    // An extra block follows a ']' and holds no ']' or '|'; a '[' in an encrypted pad is followed by the pad's '|'.
    const open = text.lastIndexOf('[', end - 2);
    if (open < 1 || text[open - 1] !== ']' || /[\]|]/.test(text.slice(open + 1, end - 1))) break;
    extra.unshift(text.slice(open, end));
    end = open;
  }
  if (text[end - 1] !== ']') return null;
  return { data: text.slice(0, end - 1), extra, timestamp };
}

const ZERO_IV = Buffer.alloc(16);
const cipherName = (key: Buffer): string | null => ([16, 24, 32].includes(key.length) ? `aes-${key.length * 8}-cbc` : null);

function decrypt(hex: string, key: Buffer): string | null {
  const name = cipherName(key);
  if (!name || hex.length === 0 || !/^(?:[0-9A-Fa-f]{32})+$/.test(hex)) return null;
  const decipher = createDecipheriv(name, key, ZERO_IV).setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(hex, 'hex')), decipher.final()]).toString('latin1');
}

function encrypt(plain: Buffer, key: Buffer): string {
  const name = cipherName(key);
  if (!name) throw new Error('a DC-09 key is 16, 24 or 32 bytes');
  const cipher = createCipheriv(name, key, ZERO_IV).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()])
    .toString('hex')
    .toUpperCase();
}

/**
 * Where the data begins in decrypted text, or -1 when it does not say. Pads differ by make: the
 * standard's `pad|`, Hikvision's run of 'p' without '|', Ajax's arbitrary bytes. The data's own
 * `#acct|` marks its start; right after a '|' it cannot be the last bytes of a pad.
 */
function dataStart(plain: string, account: string): number {
  const own = account.replace(/[^0-9A-Za-z]/g, '\\$&');
  const candidates = [...(own ? [`\\|#${own}\\|`, `#${own}\\|`] : []), '\\|#[0-9A-Za-z]{1,16}\\|'];
  for (const candidate of candidates) {
    // Right before ']' it is the end of a pad in front of empty data, not an account.
    const m = new RegExp(`${candidate}(?!\\])`).exec(plain);
    if (m) return m[0].startsWith('|') ? m.index + 1 : m.index;
  }
  return -1;
}

/** Data that names no account: after the pad's '|', or after Hikvision's 'p's. */
function withoutPad(region: string): string {
  if (region.endsWith('|')) return ''; // empty data (NULL) right after the pad, whatever the pad holds
  const bar = region.indexOf('|');
  return bar >= 0 ? region.slice(bar + 1) : region.replace(/^p+/, '');
}

function openEncrypted(frame: Dc09Frame, key: Buffer): Dc09Content | null {
  const plain = decrypt(frame.body, key);
  if (plain === null) return null;
  const start = dataStart(plain, frame.account);
  const content = splitContent(start >= 0 ? plain.slice(start) : plain);
  // Encrypted frames always carry a timestamp; without one the key was wrong as far as anyone can tell.
  if (!content?.timestamp) return null;
  if (start < 0) content.data = withoutPad(content.data);
  return content;
}

/**
 * Decrypts (when frame.encrypted; AES-128/192/256 by key length, CBC, zero IV, no padding) and splits
 * data / extra blocks / timestamp, parsing from the end of the plaintext. Never throws.
 */
export function openFrame(frame: Dc09Frame, key: Buffer | null): OpenedFrame {
  try {
    if (!frame.encrypted) {
      const content = splitContent(frame.body);
      return content ? { ok: true, content } : { ok: false, reason: 'format' };
    }
    const content = key ? openEncrypted(frame, key) : null;
    return content ? { ok: true, content } : { ok: false, reason: 'decrypt' };
  } catch {
    return { ok: false, reason: frame.encrypted ? 'decrypt' : 'format' };
  }
}

/** Parses an installer's key: 32/48/64 hex digits -> 16/24/32 bytes; null if not a valid key. */
export function parseKey(text: string): Buffer | null {
  const hex = text.trim();
  return /^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{48}|[0-9A-Fa-f]{64})$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

const two = (v: number): string => String(v).padStart(2, '0');

/** `_HH:MM:SS,MM-DD-YYYY` in UTC. */
export function formatTimestamp(d: Date): string {
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `_${time},${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}-${String(d.getUTCFullYear()).padStart(4, '0')}`;
}

const hex4 = (v: number): string => v.toString(16).toUpperCase().padStart(4, '0');

/** LF, CRC, length, span, CR. */
function frameOf(span: string, crcBinary: boolean): Buffer {
  const body = Buffer.from(span, 'latin1');
  const crc = crc16arc(body);
  const head = crcBinary ? Buffer.from([LF, crc >> 8, crc & 0xff]) : Buffer.from(`\n${hex4(crc)}`, 'latin1');
  return Buffer.concat([head, Buffer.from(hex4(body.length), 'latin1'), body, Buffer.from([CR])]);
}

export type PadStyle = 'standard' | 'hikvision' | 'random';

// The standard allows any pad byte but '|', '[' and ']'; letters and digits keep logs readable.
const PAD_CHARS = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'latin1');

/** Pads `content` in front to a multiple of 16 bytes (16 more when it already is one) and encrypts it. */
function encryptedBlock(content: string, key: Buffer, style: PadStyle): string {
  const body = Buffer.from(content, 'latin1');
  const bar = style === 'hikvision' ? 0 : 1;
  const size = 16 - ((body.length + bar) % 16);
  const pad = style === 'hikvision' ? Buffer.alloc(size, 'p') : randomBytes(size);
  if (style === 'standard') pad.forEach((b, i) => (pad[i] = PAD_CHARS[b % PAD_CHARS.length]));
  return encrypt(Buffer.concat([pad, Buffer.from(bar ? '|' : ''), body]), key);
}

const accountPart = (frame: Dc09Frame): string => (frame.account ? `#${frame.account}` : '');
const echo = (frame: Dc09Frame): string => `${frame.sequence}${frame.receiver ?? ''}${frame.line}${accountPart(frame)}`;

/**
 * ACK for a frame, echoing its sequence, receiver (left out when the frame had none: some panels
 * refuse anything else), line and account. An encrypted frame gets `"*ACK"` with `pad|]_timestamp`
 * encrypted in the same key; the panel checks that timestamp against its clock.
 */
export function ackFor(frame: Dc09Frame, key: Buffer | null, now: Date): Buffer {
  if (!frame.encrypted) return frameOf(`"ACK"${echo(frame)}[]`, frame.crcBinary);
  if (!key) throw new Error('an encrypted DC-09 frame is acknowledged in its own key');
  return frameOf(`"*ACK"${echo(frame)}[${encryptedBlock(`]${formatTimestamp(now)}`, key, 'standard')}`, frame.crcBinary);
}

/** Refusal with the receiver's UTC time, which panels use to set their clocks; never encrypted. */
export function nakFor(now: Date, crcBinary: boolean): Buffer {
  return frameOf(`"NAK"0000R0L0A0[]${formatTimestamp(now)}`, crcBinary);
}

/** "Unable to process this message type"; many diallers drop the message after it. */
export function duhFor(frame: Dc09Frame): Buffer {
  return frameOf(`"DUH"${echo(frame)}[]`, frame.crcBinary);
}

/** Builds a frame as a panel would send it (for the panel simulator, tests and benchmarks). */
export function buildFrame(o: {
  id: string;
  sequence: string | number;
  receiver?: string | null;
  line?: string;
  account: string;
  /** What goes inside [ ], e.g. '#1234|Nri1/BA3' or ''. */
  data: string;
  extra?: string[];
  timestamp?: Date | null;
  /** Encrypts when given; an encrypted frame needs a timestamp. */
  key?: Buffer | null;
  pad?: PadStyle;
  crcBinary?: boolean;
}): Buffer {
  if (o.key && !o.timestamp) throw new Error('an encrypted DC-09 frame needs a timestamp');
  const content = `${o.data}]${(o.extra ?? []).join('')}${o.timestamp ? formatTimestamp(o.timestamp) : ''}`;
  const sequence = String(o.sequence).padStart(4, '0');
  const head = `"${o.key ? '*' : ''}${o.id}"${sequence}${o.receiver ?? ''}${o.line ?? 'L0'}#${o.account}[`;
  const body = o.key ? encryptedBlock(content, o.key, o.pad ?? 'standard') : content;
  return frameOf(head + body, o.crcBinary ?? false);
}

export type ParsedReply =
  | { ok: true; kind: 'ACK' | 'NAK' | 'DUH' | string; sequence: string; encrypted: boolean; account: string; timestamp: Date | null }
  | { ok: false; reason: string };

/** Reads a reply frame (ACK/NAK/DUH) as a panel would: kind, sequence, and for NAK/encrypted ACK its timestamp. */
export function parseReply(bytes: Buffer, key: Buffer | null): ParsedReply {
  const parsed = parseFrame(bytes);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const { id: kind, sequence, encrypted, account } = parsed.frame;
  const opened = openFrame(parsed.frame, key);
  return opened.ok ? { ok: true, kind, sequence, encrypted, account, timestamp: opened.content.timestamp } : opened;
}

// A panel anyone can run against a running Keyholder: sends events as an SIA DC-09 panel (TCP or
// UDP, plain or encrypted) or as an HTTP panel, prints every reply, and can keep sending link tests.
//   npm run panel -- --account 1234 --key <hex> --code BA --zone 3
//   npm run panel -- --help
import { createHmac } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { buildFrame, parseKey, parseReply, Dc09Splitter } from '../dc09/dc09-frame.js';

const HELP = `Usage: npm run panel -- [options]

As a SIA DC-09 panel (default):
  --host H             receiver host (default 127.0.0.1)
  --port P             receiver port (default 12128)
  --udp                send over UDP instead of TCP
  --account A          the panel's account (required)
  --key HEX            AES key (32, 48 or 64 hex digits); leave out to send plain frames
  --code CC            a SIA event code (BA, FA, OP, CL, ...); with --zone, --user, --area, --text
  --cid QEEE           a Contact ID event instead (1130 burglary, 3401 arm, ...); with --zone, --user, --area
  --null               a link test (NULL) instead of an event
  --every S            keep going: send it again every S seconds (Ctrl-C stops), on one TCP connection
  --count N            send it N times (default 1, or forever with --every)
  --sequence N         first sequence number (default 1)
  --clock-offset S     pretend the panel's clock is S seconds off (to see a NAK with the receiver's time)
  --pad standard|hikvision|random   how the encrypted block is padded (real panels differ)
  --binary-crc         send the CRC as 2 raw bytes (Lupusec, Trikdis)
  --no-timestamp       leave out the timestamp (plain frames only)

As an HTTP panel:
  --http URL           Keyholder's base URL, e.g. http://localhost:3000
  --panel ID --secret S --code CC [--zone Z] [--user U] [--text T] [--event-id E]
`;

const { values: o } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '12128' },
    udp: { type: 'boolean', default: false },
    account: { type: 'string' },
    key: { type: 'string' },
    code: { type: 'string' },
    cid: { type: 'string' },
    zone: { type: 'string' },
    user: { type: 'string' },
    area: { type: 'string' },
    text: { type: 'string' },
    null: { type: 'boolean', default: false },
    every: { type: 'string' },
    count: { type: 'string' },
    sequence: { type: 'string', default: '1' },
    'clock-offset': { type: 'string', default: '0' },
    pad: { type: 'string', default: 'standard' },
    'binary-crc': { type: 'boolean', default: false },
    'no-timestamp': { type: 'boolean', default: false },
    http: { type: 'string' },
    panel: { type: 'string' },
    secret: { type: 'string' },
    'event-id': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}`);
  process.exit(2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function http(): Promise<void> {
  if (!o.panel || !o.secret || !o.code) fail('--http needs --panel, --secret and --code');
  const body = JSON.stringify({
    eventId: o['event-id'] ?? `sim-${Date.now()}`,
    code: o.code,
    ...(o.zone ? { zone: o.zone } : {}),
    ...(o.user ? { user: o.user } : {}),
    ...(o.text ? { text: o.text } : {}),
    occurredAt: new Date().toISOString(),
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = 'sha256=' + createHmac('sha256', o.secret).update(`${timestamp}.${body}`).digest('hex');
  const url = `${o.http!.replace(/\/+$/, '')}/api/panels/${o.panel}/events`;
  process.stdout.write(`-> POST ${url} ${body}\n`);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-keyholder-timestamp': timestamp, 'x-keyholder-signature': signature },
    body,
  });
  process.stdout.write(`<- ${res.status} ${await res.text()}\n`);
  if (!res.ok) process.exitCode = 1;
}

/** One frame's data block: a SIA-DCS event, a Contact ID event, or a NULL's empty one. */
function message(account: string): { id: string; data: string } {
  if (o.null) return { id: 'NULL', data: '' };
  if (o.cid) {
    if (!/^[136]\d{3}$/.test(o.cid)) fail('--cid must be a qualifier (1, 3 or 6) and three digits, e.g. 1130');
    const area = (o.area ?? '01').padStart(2, '0');
    const who = (o.zone ?? o.user ?? '000').padStart(3, '0');
    return { id: 'ADM-CID', data: `#${account}|${o.cid} ${area} ${who}` };
  }
  if (!o.code || !/^[A-Z]{2}$/.test(o.code)) fail('give --code (two capital letters, e.g. BA), --cid or --null');
  const area = o.area ? `ri${o.area}/` : '';
  const user = o.user && o.zone ? `id${o.user}/` : '';
  const number = o.zone ?? o.user ?? '';
  const text = o.text ? `^${o.text}^` : '';
  return { id: 'SIA-DCS', data: `#${account}|N${area}${user}${o.code}${number}${text}` };
}

async function dc09(): Promise<void> {
  if (!o.account) fail('--account is required (the account set on the panel in Keyholder)');
  const key = o.key ? parseKey(o.key) : null;
  if (o.key && !key) fail('--key must be 32, 48 or 64 hex digits');
  const port = Number(o.port);
  const every = o.every ? Number(o.every) : 0;
  const count = o.count ? Number(o.count) : every ? Infinity : 1;
  const offsetMs = Number(o['clock-offset']) * 1000;
  let sequence = Number(o.sequence);
  const { id, data } = message(o.account);
  const transport = o.udp ? await udpTransport(o.host!, port) : await tcpTransport(o.host!, port);
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const frame = buildFrame({
      id,
      sequence: String(sequence).padStart(4, '0'),
      line: 'L0',
      account: o.account,
      data,
      timestamp: o['no-timestamp'] && !key ? null : new Date(Date.now() + offsetMs),
      key,
      pad: o.pad as 'standard' | 'hikvision' | 'random',
      crcBinary: o['binary-crc'],
    });
    const started = Date.now();
    process.stdout.write(`-> ${printable(frame)}\n`);
    const reply = await transport.send(frame);
    if (!reply) {
      failures += 1;
      process.stdout.write(`<- no reply within 10 s (the receiver could not commit the event, or is not there)\n`);
    } else {
      const r = parseReply(reply, key);
      const took = Date.now() - started;
      if (!r.ok) process.stdout.write(`<- unreadable reply (${r.reason}): ${printable(reply)}\n`);
      else {
        let time = r.timestamp ? ` receiver time ${r.timestamp.toISOString()}` : '';
        // A NAK's time is what a panel sets its clock from: say how far off ours was.
        if (r.kind === 'NAK' && r.timestamp) time += `, the panel's clock is ${Math.round((Date.now() + offsetMs - r.timestamp.getTime()) / 1000)} s off`;
        process.stdout.write(`<- ${r.encrypted ? '*' : ''}${r.kind} ${r.sequence}${time} (${took} ms)  ${printable(reply)}\n`);
        if (r.kind !== 'ACK') failures += 1;
      }
    }
    sequence = sequence >= 9999 ? 1 : sequence + 1;
    if (i + 1 < count && every) await sleep(every * 1000);
  }
  transport.close();
  if (failures) process.exitCode = 1;
}

/** Shows a frame as text, with its LF and CR, and binary bytes as \xNN. */
function printable(frame: Buffer): string {
  return [...frame]
    .map((b) => (b === 0x0a ? '<LF>' : b === 0x0d ? '<CR>' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`))
    .join('');
}

interface Transport {
  send(frame: Buffer): Promise<Buffer | null>;
  close(): void;
}

async function tcpTransport(host: string, port: number): Promise<Transport> {
  const socket = net.connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (e) => reject(new Error(`cannot connect to ${host}:${port}: ${e.message}`)));
  });
  const splitter = new Dc09Splitter();
  const replies: Buffer[] = [];
  let waiting: ((b: Buffer) => void) | undefined;
  socket.on('data', (chunk) => {
    for (const item of splitter.push(chunk)) {
      if (item.kind !== 'frame') continue;
      if (waiting) waiting(item.bytes);
      else replies.push(item.bytes);
      waiting = undefined;
    }
  });
  let leaving = false;
  socket.on('close', () => leaving || process.stdout.write('(the receiver closed the connection)\n'));
  socket.on('error', () => undefined);
  return {
    send(frame) {
      socket.write(frame);
      if (replies.length) return Promise.resolve(replies.shift()!);
      return new Promise((resolve) => {
        const timer = setTimeout(() => ((waiting = undefined), resolve(null)), 10_000);
        waiting = (b) => (clearTimeout(timer), resolve(b));
      });
    },
    close: () => {
      leaving = true;
      socket.end();
    },
  };
}

async function udpTransport(host: string, port: number): Promise<Transport> {
  const socket = dgram.createSocket('udp4');
  let waiting: ((b: Buffer) => void) | undefined;
  socket.on('message', (msg) => waiting?.(msg));
  return {
    send(frame) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => ((waiting = undefined), resolve(null)), 10_000);
        waiting = (b) => (clearTimeout(timer), (waiting = undefined), resolve(b));
        socket.send(frame, port, host);
      });
    },
    close: () => socket.close(),
  };
}

if (o.help) process.stdout.write(HELP);
else await (o.http ? http() : dc09()).catch((e: Error) => fail(e.message));

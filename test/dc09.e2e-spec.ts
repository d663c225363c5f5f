// Panels reporting over SIA DC-09, over real TCP and UDP sockets against the real app and
// PostgreSQL: the frame's events take the same path as an HTTP panel's (alarms, SMS, supervision),
// ACK only once committed, NAK with the receiver's time for what cannot be taken.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildFrame, crc16arc, parseReply } from '../src/dc09/dc09-frame.js';
import { AlarmFixtures, replyCodeIn, sign, nowSeconds, waitUntil } from './support/alarm-fixtures.js';
import { Dc09Connection, sendOnce, sendUdp, text } from './support/dc09-client.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { createTestAppOnTwilio, type TestApp } from './support/test-app.js';

const PUBLIC = 'https://alarm.example.test';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A hand-written frame around a body, with its CRC and length computed (for the real frames of docs/dc09.md#real-frames). */
function framed(body: string): Buffer {
  const bytes = Buffer.from(body, 'latin1');
  const head = crc16arc(bytes).toString(16).toUpperCase().padStart(4, '0') + bytes.length.toString(16).toUpperCase().padStart(4, '0');
  return Buffer.concat([Buffer.from('\n' + head, 'latin1'), bytes, Buffer.from('\r')]);
}

describe('SIA DC-09 receiver', () => {
  let t: TestApp;
  let fake: FakeTwilio;
  let f: AlarmFixtures;
  let port: number;
  let seq = 0;
  const nextSeq = () => String((seq = (seq % 9999) + 1)).padStart(4, '0');

  beforeAll(async () => {
    fake = await new FakeTwilio().start();
    t = await createTestAppOnTwilio(fake, PUBLIC, { SMS_RATE_PER_SECOND: '1000', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 4000);
    await f.setWaits('burglary', 1, 1);
    const settings = await t.request('GET', '/api/settings/dc09', { token: f.tokens.operator });
    expect(settings.status).toBe(200);
    port = settings.body.port;
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const account = () => String(100000 + f.next());
  async function dc09Household(contacts = 0, dc09: object = {}) {
    const customer = await f.customer();
    const people: Array<{ id: string; phone: string }> = [];
    for (let i = 0; i < contacts; i++) people.push(await f.contact(customer.id));
    const acct = account();
    const res = await t.request('POST', `/api/customers/${customer.id}/panels`, {
      token: f.tokens.supervisor,
      body: { label: 'DC-09 panel', protocol: 'dc09', dc09: { account: acct, ...dc09 } },
    });
    expect(res.status).toBe(201);
    return { customer, contacts: people, panel: res.body, account: acct, key: Buffer.from(res.body.dc09.key, 'hex') };
  }
  const sia = (acct: string, key: Buffer | null, data: string, o: { sequence?: string; timestamp?: Date | null; id?: string } = {}) =>
    buildFrame({
      id: o.id ?? 'SIA-DCS',
      sequence: o.sequence ?? nextSeq(),
      line: 'L0',
      account: acct,
      data: data ? `#${acct}|${data}` : '',
      timestamp: o.timestamp === undefined ? new Date() : o.timestamp,
      key,
    });
  const eventsOf = (panelId: string) =>
    t.query(`SELECT code, class, zone, panel_user, area, text, extra, alarm_id FROM panel_event WHERE panel_id = $1 ORDER BY received_at, id`, [panelId]);
  const smsTo = (phone: string) => fake.messages.filter((r) => r.to === phone && !/STOP\.$/.test(r.body));

  describe('operations', () => {
    it('/health says the receiver listens, and on which ports', async () => {
      const res = await t.request('GET', '/health');
      expect(res.status).toBe(200);
      expect(res.body.info.dc09).toEqual({ status: 'up', listening: true, tcpPort: port, udpPort: port });
    });

    it('GET /api/settings/dc09 gives an installer the receiver address; it needs a login', async () => {
      const res = await t.request('GET', '/api/settings/dc09', { token: f.tokens.operator });
      expect(res.body).toEqual({
        enabled: true,
        listening: true,
        host: 'alarm.example.test',
        port,
        transports: ['tcp', 'udp'],
        timestampWindow: { behindSeconds: 40, aheadSeconds: 20 },
      });
      expect((await t.request('GET', '/api/settings/dc09')).status).toBe(401);
    });
  });

  describe('registering a DC-09 panel', () => {
    it('generates an AES-256 key, shown once; the list shows the protocol and account, never the key', async () => {
      const customer = await f.customer();
      const res = await t.request('POST', `/api/customers/${customer.id}/panels`, {
        token: f.tokens.supervisor,
        body: { protocol: 'dc09', dc09: { account: '000120' } },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ protocol: 'dc09', dc09: { account: '000120', encryption: 'required', key: expect.stringMatching(/^[0-9A-F]{64}$/) } });
      expect(res.body.secret).toBe(res.body.dc09.key);
      const list = await t.request('GET', `/api/customers/${customer.id}/panels`, { token: f.tokens.operator });
      expect(list.body.items[0]).toMatchObject({ protocol: 'dc09', dc09: { account: '000120', encryption: 'required' } });
      expect(list.text).not.toContain(res.body.dc09.key);
      const [row] = await t.query(`SELECT secret_encrypted::text AS s FROM panel WHERE id = $1`, [res.body.id]);
      expect(row.s).not.toContain(res.body.dc09.key.toLowerCase());
    });

    it('refuses a taken account (any case), a bad account or key, and dc09 settings on an HTTP panel, naming the field', async () => {
      const customer = await f.customer();
      const path = `/api/customers/${customer.id}/panels`;
      const post = (body: object) => t.request('POST', path, { token: f.tokens.supervisor, body });
      expect((await post({ protocol: 'dc09', dc09: { account: 'ABC123' } })).status).toBe(201);
      const taken = await post({ protocol: 'dc09', dc09: { account: 'abc123' } });
      expect(taken.status).toBe(409);
      expect(taken.body.message).toBe('DC-09 account abc123 is already used by another panel');
      const bad = await post({ protocol: 'dc09', dc09: { account: '12-34', key: '00112233', encryption: 'sometimes' } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^dc09\.account must be 1 to 16 letters or digits/),
          'dc09.key must be 32, 48 or 64 hex digits (AES-128, -192 or -256)',
          'dc09.encryption must be "required" or "optional"',
        ]),
      );
      expect((await post({ protocol: 'dc09' })).body.message).toEqual([expect.stringMatching(/^dc09 must be an object/)]);
      const stray = await post({ dc09: { account: '55' } });
      expect(stray.status).toBe(400);
      expect(stray.body.message).toBe('dc09 settings are only for a panel with protocol "dc09"');
      expect((await post({ protocol: 'sia' })).body.message).toEqual(['protocol must be "http" or "dc09"']);
      // An operator may not register panels.
      expect((await t.request('POST', path, { token: f.tokens.operator, body: { protocol: 'dc09', dc09: { account: '77' } } })).status).toBe(403);
    });

    it('rotating makes a new key of the same length; frames in the old key get NAK from then on', async () => {
      const h = await dc09Household(0, { key: '00112233445566778899AABBCCDDEEFF' });
      expect(text(await sendOnce(port, sia(h.account, h.key, 'NRP0')))).toMatch(/"\*ACK"/);
      const rotated = await t.request('POST', `/api/customers/${h.customer.id}/panels/${h.panel.id}/rotate-secret`, { token: f.tokens.supervisor });
      expect(rotated.status).toBe(200);
      expect(rotated.body.dc09.key).toMatch(/^[0-9A-F]{32}$/);
      expect(rotated.body.dc09.key).not.toBe('00112233445566778899AABBCCDDEEFF');
      const old = await sendOnce(port, sia(h.account, h.key, 'NRP0'));
      expect(parseReply(old!, null)).toMatchObject({ ok: true, kind: 'NAK' });
      const fresh = await sendOnce(port, sia(h.account, Buffer.from(rotated.body.dc09.key, 'hex'), 'NRP0'));
      expect(parseReply(fresh!, Buffer.from(rotated.body.dc09.key, 'hex'))).toMatchObject({ ok: true, kind: 'ACK', encrypted: true });
    });

    it("a DC-09 panel's key is not an HTTP signing secret", async () => {
      const h = await dc09Household();
      const raw = JSON.stringify({ eventId: 'x-1', code: 'BA', occurredAt: new Date().toISOString() });
      const ts = nowSeconds();
      const res = await t.request('POST', `/api/panels/${h.panel.id}/events`, {
        raw,
        headers: { 'content-type': 'application/json', 'x-keyholder-timestamp': String(ts), 'x-keyholder-signature': sign(h.panel.secret, ts, raw) },
      });
      expect(res.status).toBe(401);
    });
  });

  describe('the real frames of docs/dc09.md', () => {
    it('ACKs the Node-RED report frame byte for byte as the receiver there did, and stores NL zone 501 in area 1', async () => {
      const customer = await f.customer();
      const created = await t.request('POST', `/api/customers/${customer.id}/panels`, {
        token: f.tokens.supervisor,
        body: { protocol: 'dc09', dc09: { account: '0000', encryption: 'optional' } },
      });
      expect(created.status).toBe(201);
      const frame = Buffer.from('\nEAC0003A"SIA-DCS"1663L0#0000[#0000|Nri1/NL501]_12:40:58,12-22-2021\r', 'latin1');
      expect(text(await sendOnce(port, frame))).toBe('444D0012"ACK"1663L0#0000[]');
      expect(await eventsOf(created.body.id)).toEqual([expect.objectContaining({ code: 'NL', zone: '501', area: '1' })]);
    });

    it('ACKs the Ajax link test (account 1) exactly as ioBroker.sia did, and the panel is heard from', async () => {
      const customer = await f.customer();
      const created = await t.request('POST', `/api/customers/${customer.id}/panels`, {
        token: f.tokens.supervisor,
        body: { protocol: 'dc09', dc09: { account: '1', encryption: 'optional' } },
      });
      const frame = Buffer.from('\n73000024"NULL"0000L0#1[]_09:15:05,02-25-2020\r', 'latin1');
      expect(text(await sendOnce(port, frame))).toBe('A4D5000F"ACK"0000L0#1[]');
      const list = await t.request('GET', `/api/customers/${customer.id}/panels`, { token: f.tokens.operator });
      expect(list.body.items[0]).toMatchObject({ supervision: 'ok', lastSeenAt: expect.any(String) });
      // A link test is supervision, never an unknown code: no alarm.
      expect(await eventsOf(created.body.id)).toEqual([expect.objectContaining({ code: 'NULL', class: 'test', alarm_id: null })]);
    });

    it('takes the Home Assistant frame (no "/" after ri1, a zone text with spaces)', async () => {
      const customer = await f.customer();
      const created = await t.request('POST', `/api/customers/${customer.id}/panels`, {
        token: f.tokens.supervisor,
        body: { protocol: 'dc09', dc09: { account: '000110', encryption: 'optional' } },
      });
      expect(created.status).toBe(201);
      const frame = Buffer.from('\n01CD005F"SIA-DCS"1783L0#000110[#000110|Nri1BA503^Volum.Taverna   Appartam.Giorno ^]_11:49:27,01-20-2022\r', 'latin1');
      expect(text(await sendOnce(port, frame))).toMatch(/^[0-9A-F]{8}"ACK"1783L0#000110\[\]$/);
      const [event] = await eventsOf(created.body.id);
      expect(event).toMatchObject({
        code: 'BA',
        class: 'burglary',
        zone: '503',
        area: '1',
        text: 'Volum.Taverna   Appartam.Giorno ',
        alarm_id: expect.any(String),
      });
    });
  });

  describe('the same alarm path as HTTP panels', () => {
    it('an encrypted DC-09 burglary texts the owner at once, then the contacts', async () => {
      const h = await dc09Household(1);
      const reply = await sendOnce(port, sia(h.account, h.key, 'Nri1/BA3^Hall PIR^'));
      expect(parseReply(reply!, h.key)).toMatchObject({ ok: true, kind: 'ACK', encrypted: true });
      const [event] = await eventsOf(h.panel.id);
      expect(event).toMatchObject({ code: 'BA', class: 'burglary', zone: '3', area: '1', text: 'Hall PIR' });
      const owner = await fake.waitFor(() => smsTo(h.customer.phone)[0], 5000);
      expect(owner.body).toBe(
        `Keyholder: ALARM - burglary at Storgatan ${h.customer.n}, Stockholm (zone 3). Reply ${replyCodeIn(owner.body)} if you are handling it.`,
      );
      const contact = await fake.waitFor(() => smsTo(h.contacts[0].phone)[0], 8000);
      expect(contact.body).toContain('burglary');
      const alarm = await f.alarm(event.alarm_id);
      expect(alarm).toMatchObject({ class: 'burglary', stage: 'contacts' });
    });

    it('a text with control characters is taken and stored as one line, not refused', async () => {
      const h = await dc09Household(0);
      const reply = await sendOnce(port, sia(h.account, h.key, 'Nri1/BA3^Hall\nPIR\u0007^'));
      expect(parseReply(reply!, h.key)).toMatchObject({ ok: true, kind: 'ACK' });
      const [event] = await eventsOf(h.panel.id);
      expect(event).toMatchObject({ code: 'BA', zone: '3', text: 'Hall PIR ' });
      await f.act(event.alarm_id, { action: 'false_alarm' });
    });

    it('a Contact ID burglary (1130 01 003) opens a burglary alarm in zone 003; a disarm (1401) acknowledges it', async () => {
      const h = await dc09Household(1);
      await f.setWaits('burglary', 30, 30);
      try {
        const alarmReply = await sendOnce(port, sia(h.account, h.key, '1130 01 003', { id: 'ADM-CID' }));
        expect(parseReply(alarmReply!, h.key)).toMatchObject({ ok: true, kind: 'ACK' });
        const disarm = await sendOnce(port, sia(h.account, h.key, '1401 01 007', { id: 'ADM-CID' }));
        expect(parseReply(disarm!, h.key)).toMatchObject({ ok: true, kind: 'ACK' });
        const events = await eventsOf(h.panel.id);
        expect(events).toEqual([
          expect.objectContaining({ code: '1130', class: 'burglary', zone: '003', area: '01', alarm_id: expect.any(String) }),
          expect.objectContaining({ code: '1401', class: 'arming', panel_user: '007' }),
        ]);
        const alarm = await f.alarm(events[0].alarm_id);
        expect(alarm).toMatchObject({ stage: 'acknowledged', acknowledgedBy: { type: 'panel', via: 'panel_disarm', user: '007' } });
      } finally {
        await f.setWaits('burglary', 1, 1);
      }
    });

    it('several events in one SIA frame are each stored, in order, with extra blocks kept', async () => {
      const h = await dc09Household();
      const frame = buildFrame({
        id: 'SIA-DCS',
        sequence: nextSeq(),
        line: 'L0',
        account: h.account,
        data: `#${h.account}|Nri2/BA4/BA5/OP7`,
        extra: ['[X015E14.9]', '[Y47N20.8]'],
        timestamp: new Date(),
        key: h.key,
      });
      expect(parseReply((await sendOnce(port, frame))!, h.key)).toMatchObject({ ok: true, kind: 'ACK' });
      const events = await eventsOf(h.panel.id);
      expect(events.map((e: { code: string; zone: string | null; area: string | null }) => [e.code, e.zone, e.area])).toEqual([
        ['BA', '4', '2'],
        ['BA', '5', '2'],
        ['OP', null, '2'],
      ]);
      expect(events[2].panel_user).toBe('7');
      expect(events.every((e: { extra: string }) => e.extra === '[X015E14.9][Y47N20.8]')).toBe(true);
    });

    it('an unknown event code is stored as unknown, opens an alarm and is ACKed (never DUH)', async () => {
      const h = await dc09Household();
      const reply = await sendOnce(port, sia(h.account, h.key, 'NZZ12'));
      expect(parseReply(reply!, h.key)).toMatchObject({ ok: true, kind: 'ACK' });
      const [event] = await eventsOf(h.panel.id);
      expect(event).toMatchObject({ code: 'ZZ', class: 'unknown', alarm_id: expect.any(String) });
    });

    it('NULL link tests over a kept-open connection keep the panel from going offline', async () => {
      const h = await dc09Household();
      await t.query(`UPDATE panel SET supervision_interval_seconds = 60, last_seen_at = now() - interval '2 hours' WHERE id = $1`, [h.panel.id]);
      const before = await t.request('GET', `/api/customers/${h.customer.id}/panels`, { token: f.tokens.operator });
      expect(before.body.items[0].supervision).toBe('overdue');
      const c = await Dc09Connection.connect(port);
      try {
        for (let i = 0; i < 3; i++) {
          const reply = await c.send(sia(h.account, h.key, '', { id: 'NULL' }));
          expect(parseReply(reply!, h.key)).toMatchObject({ ok: true, kind: 'ACK', encrypted: true });
        }
        expect(c.closed).toBe(false); // the receiver leaves closing to the panel
      } finally {
        c.close();
      }
      const after = await t.request('GET', `/api/customers/${h.customer.id}/panels`, { token: f.tokens.operator });
      expect(after.body.items[0].supervision).toBe('ok');
      expect(Date.now() - Date.parse(after.body.items[0].lastSeenAt)).toBeLessThan(30_000);
    });

    it('an event frame with nothing in it is still a sign of life: ACKed, stored as a link test, no alarm', async () => {
      const h = await dc09Household(0, { encryption: 'optional' });
      expect(text(await sendOnce(port, framed(`"SIA-DCS"0031L0#${h.account}[]`)))).toMatch(new RegExp(`^[0-9A-F]{8}"ACK"0031L0#${h.account}\\[\\]$`));
      expect(await eventsOf(h.panel.id)).toEqual([expect.objectContaining({ code: 'NULL', class: 'test', alarm_id: null })]);
      const list = await t.request('GET', `/api/customers/${h.customer.id}/panels`, { token: f.tokens.operator });
      expect(list.body.items[0].supervision).toBe('ok');
    });

    it('over UDP: the reply goes back to the sender', async () => {
      const h = await dc09Household();
      const reply = await sendUdp(port, sia(h.account, h.key, 'NFA2'));
      expect(parseReply(reply!, h.key)).toMatchObject({ ok: true, kind: 'ACK', encrypted: true });
      expect(await eventsOf(h.panel.id)).toEqual([expect.objectContaining({ code: 'FA', class: 'fire', zone: '2' })]);
    });
  });

  describe('retransmissions', () => {
    it('a frame sent again (ACK lost) is ACKed again and stored once, with one SMS', async () => {
      const h = await dc09Household();
      const frame = sia(h.account, h.key, 'NBA8');
      const first = await sendOnce(port, frame);
      const again = await sendOnce(port, frame);
      const third = await sendUdp(port, frame);
      for (const r of [first, again, third]) expect(parseReply(r!, h.key)).toMatchObject({ ok: true, kind: 'ACK', sequence: expect.any(String) });
      const events = await eventsOf(h.panel.id);
      expect(events).toHaveLength(1);
      await fake.waitFor(() => smsTo(h.customer.phone)[0], 5000);
      await sleep(300);
      expect(smsTo(h.customer.phone)).toHaveLength(1);
    });

    it('the same sequence number with other content is a new event', async () => {
      const h = await dc09Household();
      await sendOnce(port, sia(h.account, h.key, 'NBA1', { sequence: '0042' }));
      await sendOnce(port, sia(h.account, h.key, 'NBA2', { sequence: '0042' }));
      expect((await eventsOf(h.panel.id)).map((e: { zone: string }) => e.zone)).toEqual(['1', '2']);
    });
  });

  describe('refusals: NAK with the receiver time, nothing stored', () => {
    const expectNak = (reply: Buffer | null) => {
      expect(reply).not.toBeNull();
      const r = parseReply(reply!, null);
      expect(r).toMatchObject({ ok: true, kind: 'NAK', encrypted: false });
      if (!r.ok) throw new Error('unreadable');
      expect(Math.abs(r.timestamp!.getTime() - Date.now())).toBeLessThan(3000);
      expect(text(reply)).toMatch(/^[0-9A-F]{8}"NAK"0000R0L0A0\[\]_\d\d:\d\d:\d\d,\d\d-\d\d-\d{4}$/);
    };

    it('an encrypted frame outside the window gets NAK; the same event resent with a corrected clock is ACKed', async () => {
      const h = await dc09Household();
      const late = sia(h.account, h.key, 'NBA9', { sequence: '0100', timestamp: new Date(Date.now() - 120_000) });
      expectNak(await sendOnce(port, late));
      const early = sia(h.account, h.key, 'NBA9', { sequence: '0100', timestamp: new Date(Date.now() + 60_000) });
      expectNak(await sendOnce(port, early));
      expect(await eventsOf(h.panel.id)).toHaveLength(0);
      const corrected = sia(h.account, h.key, 'NBA9', { sequence: '0100', timestamp: new Date() });
      expect(parseReply((await sendOnce(port, corrected))!, h.key)).toMatchObject({ ok: true, kind: 'ACK' });
      expect(await eventsOf(h.panel.id)).toHaveLength(1);
    });

    it('unknown account, wrong key, bad CRC, bad length, and a plain frame where encryption is required', async () => {
      const h = await dc09Household();
      const before = (await t.query(`SELECT count(*)::int AS n FROM panel_event`))[0].n;
      expectNak(await sendOnce(port, sia('FFFF0000', randomBytes(16), 'NBA1')));
      expectNak(await sendOnce(port, sia(h.account, randomBytes(32), 'NBA1')));
      const good = sia(h.account, h.key, 'NBA1');
      const badCrc = Buffer.from(good);
      badCrc[1] = badCrc[1] === 0x30 ? 0x31 : 0x30;
      expectNak(await sendOnce(port, badCrc));
      const body = good.toString('latin1').slice(9, -1);
      const badLength = Buffer.from(
        `\n${crc16arc(Buffer.from(body, 'latin1')).toString(16).toUpperCase().padStart(4, '0')}0${(body.length + 1).toString(16).toUpperCase().padStart(3, '0')}${body}\r`,
        'latin1',
      );
      expectNak(await sendOnce(port, badLength));
      expectNak(await sendOnce(port, sia(h.account, null, 'NBA1')));
      expect((await t.query(`SELECT count(*)::int AS n FROM panel_event`))[0].n).toBe(before);
    });

    it('DUH for a message type it cannot process, echoing the sequence', async () => {
      const h = await dc09Household(0, { encryption: 'optional' });
      const reply = await sendOnce(port, framed(`"SIA-XYZ"0077L0#${h.account}[#${h.account}|NBA1]`));
      expect(text(reply)).toMatch(new RegExp(`^[0-9A-F]{8}"DUH"0077L0#${h.account}\\[\\]$`));
    });
  });

  describe('hostile and broken senders', () => {
    it('garbage, an oversized frame and a silent half-frame never stop the receiver', async () => {
      const h = await dc09Household();
      const junk = await Dc09Connection.connect(port);
      junk.write(randomBytes(64 * 1024));
      const big = await Dc09Connection.connect(port);
      big.write(Buffer.concat([Buffer.from('\n'), Buffer.alloc(20_000, 0x41)]));
      const half = await Dc09Connection.connect(port);
      half.write(sia(h.account, h.key, 'NBA1').subarray(0, 20));
      await waitUntil(async () => junk.closed && big.closed, 5000, 'garbage and oversized connections closed');
      expect(half.closed).toBe(false); // it may yet finish its frame (closed after 30 s if it does not)
      const reply = await sendOnce(port, sia(h.account, h.key, 'NBA2'));
      expect(parseReply(reply!, h.key)).toMatchObject({ ok: true, kind: 'ACK' });
      half.close();
      expect((await t.request('GET', '/health')).status).toBe(200);
    });

    it('frames split byte by byte and two in one write are each answered, in order', async () => {
      const h = await dc09Household();
      const c = await Dc09Connection.connect(port);
      try {
        const a = sia(h.account, h.key, 'NBA1', { sequence: '0201' });
        for (const byte of a) {
          c.write(Buffer.from([byte]));
          await sleep(1);
        }
        expect(parseReply((await c.reply())!, h.key)).toMatchObject({ kind: 'ACK', sequence: '0201' });
        c.write(Buffer.concat([sia(h.account, h.key, 'NBA2', { sequence: '0202' }), sia(h.account, h.key, 'NBA3', { sequence: '0203' })]));
        expect(parseReply((await c.reply())!, h.key)).toMatchObject({ kind: 'ACK', sequence: '0202' });
        expect(parseReply((await c.reply())!, h.key)).toMatchObject({ kind: 'ACK', sequence: '0203' });
      } finally {
        c.close();
      }
    });

    it('random bytes and mutated frames on one connection: the receiver keeps answering a good frame', async () => {
      const h = await dc09Household();
      const good = sia(h.account, h.key, 'NRP0');
      for (let i = 0; i < 30; i++) {
        const c = await Dc09Connection.connect(port);
        const mutated = Buffer.from(good);
        mutated[1 + ((i * 7) % (mutated.length - 2))] ^= 1 << (i % 8);
        c.write(i % 2 ? randomBytes(200 + i * 10) : mutated);
        c.close();
      }
      await sendUdp(port, randomBytes(500), 200);
      const reply = await sendOnce(port, sia(h.account, h.key, 'NRP0'));
      expect(parseReply(reply!, h.key)).toMatchObject({ ok: true, kind: 'ACK' });
    });
  });

  it('/metrics counts frames by outcome and reason, and open connections', async () => {
    const c = await Dc09Connection.connect(port);
    try {
      await waitUntil(async () => /keyholder_dc09_connections [1-9]/.test((await t.request('GET', '/metrics')).text), 3000, 'connection counted');
    } finally {
      c.close();
    }
    const metrics = (await t.request('GET', '/metrics')).text;
    expect(metrics).toMatch(/keyholder_dc09_frames_total\{transport="tcp",outcome="ack",reason=""\} [1-9]/);
    expect(metrics).toMatch(/keyholder_dc09_frames_total\{transport="tcp",outcome="nak",reason="timestamp"\} [1-9]/);
    expect(metrics).toMatch(/keyholder_dc09_frames_total\{transport="tcp",outcome="nak",reason="unknown_account"\} [1-9]/);
    expect(metrics).toMatch(/keyholder_dc09_frames_total\{transport="tcp",outcome="duplicate",reason=""\} [1-9]/);
    expect(metrics).toMatch(/keyholder_dc09_frames_total\{transport="udp",outcome="ack",reason=""\} [1-9]/);
  });
});

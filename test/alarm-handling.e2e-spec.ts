import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EscalationEngine } from '../src/escalation/escalation-engine.js';
import { ANONYMOUS_ID } from '../src/privacy/retention-policy.js';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { openAlarmStream } from './support/sse.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** Operators working alarms together: calls and their outcomes, who is handling, one action on many. */
describe('alarm handling API (calls, claims, bulk actions)', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let operatorId: string;
  let supervisorId: string;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 4000);
    const rows = await t.query<{ id: string; role: string }>(`SELECT id, role FROM operator WHERE email IN ('operator@test.local', 'supervisor@test.local')`);
    operatorId = rows.find((r) => r.role === 'operator')!.id;
    supervisorId = rows.find((r) => r.role === 'supervisor')!.id;
  });
  afterAll(async () => t?.close());

  let seq = 0;
  const open = async (code = 'WA', contacts = 0) => {
    const h = await f.household(contacts);
    const res = await f.post(h.panel, { eventId: `h-${(seq += 1)}`, code, zone: '1' });
    expect(res.status).toBe(202);
    return { ...h, alarmId: res.body.alarmId as string };
  };
  const call = (alarmId: string, body: unknown, token = f.tokens.operator) => t.request('POST', `/api/alarms/${alarmId}/calls`, { token, body });
  const claim = (alarmId: string, body: unknown = {}, token = f.tokens.operator) => t.request('POST', `/api/alarms/${alarmId}/claim`, { token, body });

  describe('POST /api/alarms/:id/calls', () => {
    it('records each outcome on the timeline with the operator, without acknowledging unless someone was reached', async () => {
      const { alarmId, contacts } = await open('WA', 1);
      for (const outcome of ['no_answer', 'busy', 'wrong_number', 'voicemail']) {
        const res = await call(alarmId, { to: 'owner', outcome, note: `tried, ${outcome}` });
        expect(res.status).toBe(201);
        expect(res.body.callId).toEqual(expect.any(String));
        expect(res.body.alarm.stage).toBe('owner');
      }
      const guard = await call(alarmId, { to: 'guard', number: '+46812345678', outcome: 'reached' });
      expect(guard.status).toBe(201);
      expect(guard.body.alarm.stage).toBe('owner'); // a guard on the phone does not acknowledge for the owner
      const emergency = await call(alarmId, { to: 'emergency', number: '112', outcome: 'reached' });
      expect(emergency.status).toBe(201);
      const contact = await call(alarmId, { to: 'contact', contactId: contacts[0].id, outcome: 'no_answer' });
      expect(contact.status).toBe(201);
      const calls = (await f.alarm(alarmId)).timeline.filter((e: any) => e.type === 'call');
      expect(calls.map((c: any) => [c.to, c.outcome])).toEqual([
        ['owner', 'no_answer'],
        ['owner', 'busy'],
        ['owner', 'wrong_number'],
        ['owner', 'voicemail'],
        ['guard', 'reached'],
        ['emergency', 'reached'],
        ['contact', 'no_answer'],
      ]);
      expect(calls[0]).toMatchObject({ operatorId, operatorName: 'Test operator', note: 'tried, no_answer' });
      expect(calls[4]).toMatchObject({ number: '+46812345678' });
      expect(calls[6]).toMatchObject({ contactId: contacts[0].id, contactName: expect.stringContaining('Contact') });
      expect(await t.query(`SELECT count(*)::int AS n FROM alarm_call WHERE alarm_id = $1`, [alarmId])).toEqual([{ n: 7 }]);
    });

    it('reached to the owner acknowledges like owner_reached, and the escalation stops: no contact is texted after', async () => {
      const { alarmId, customer } = await open('WA', 1);
      const res = await call(alarmId, { to: 'owner', outcome: 'reached', note: 'owner is on the way' });
      expect(res.status).toBe(201);
      expect(res.body.alarm).toMatchObject({
        stage: 'acknowledged',
        acknowledgedBy: { type: 'owner', customerId: customer.id, via: 'operator', operatorId },
        escalation: { nextStepAt: null },
      });
      expect(res.body.alarm.timeline).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'call', to: 'owner', outcome: 'reached' }),
          expect.objectContaining({ type: 'action', action: 'owner_reached', callId: res.body.callId }),
          expect.objectContaining({ type: 'acknowledged' }),
        ]),
      );
      // Time passes: whatever step would have been due is due now, and the engine runs.
      await t.query(`UPDATE alarm SET next_step_at = now() - interval '1 second' WHERE id = $1 AND next_step_at IS NOT NULL`, [alarmId]);
      const engine = t.app.get(EscalationEngine);
      engine.sweep();
      await engine.idle();
      expect(await t.query(`SELECT count(*)::int AS n FROM sms_message WHERE alarm_id = $1 AND purpose = 'alarm_contact'`, [alarmId])).toEqual([{ n: 0 }]);
    });

    it('reached to a contact in the chain acknowledges like contact_reached', async () => {
      const { alarmId, contacts } = await open('WA', 2);
      const res = await call(alarmId, { to: 'contact', contactId: contacts[1].id, outcome: 'reached' });
      expect(res.status).toBe(201);
      expect(res.body.alarm).toMatchObject({ stage: 'acknowledged', acknowledgedBy: { type: 'contact', contactId: contacts[1].id, via: 'operator' } });
    });

    it('refuses a bad to or outcome, a missing or foreign contact, a number for the owner, and a closed alarm', async () => {
      const { alarmId } = await open('WA', 1);
      const other = await open('WA', 1);
      const bad = await call(alarmId, { to: 'neighbour', outcome: 'maybe' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(
        expect.arrayContaining([expect.stringContaining('to must be one of'), expect.stringContaining('outcome must be one of')]),
      );
      const noContact = await call(alarmId, { to: 'contact', outcome: 'busy' });
      expect(noContact.status).toBe(400);
      expect(noContact.body.message).toContain('contactId is required');
      const foreign = await call(alarmId, { to: 'contact', contactId: other.contacts[0].id, outcome: 'reached' });
      expect(foreign.status).toBe(422);
      expect(foreign.body.message).toContain('not a contact of this alarm');
      expect((await call(alarmId, { to: 'contact', contactId: UNKNOWN, outcome: 'busy' })).status).toBe(404);
      const ownerNumber = await call(alarmId, { to: 'owner', number: '+46812345678', outcome: 'busy' });
      expect(ownerNumber.status).toBe(400);
      expect(ownerNumber.body.message).toContain('number is only for');
      const badNumber = await call(alarmId, { to: 'other', number: 'call me', outcome: 'busy' });
      expect(badNumber.status).toBe(400);
      const multiLine = await call(alarmId, { to: 'owner', outcome: 'busy', note: 'one\nline' });
      expect(multiLine.status).toBe(400);
      expect((await call(alarmId, { to: 'owner', outcome: 'busy', extra: 1 })).status).toBe(400);
      expect((await call(UNKNOWN, { to: 'owner', outcome: 'busy' })).status).toBe(404);
      expect(
        (
          await t.request('POST', `/api/alarms/${alarmId}/calls`, {
            token: f.tokens.operator,
            raw: JSON.stringify({ to: 'owner', outcome: 'busy', note: 'x'.repeat(200_000) }),
            headers: { 'content-type': 'application/json' },
          })
        ).status,
      ).toBe(413);
      await f.act(alarmId, { action: 'false_alarm' });
      expect((await call(alarmId, { to: 'owner', outcome: 'busy' })).status).toBe(409);
      // Nothing refused was recorded.
      expect(await t.query(`SELECT count(*)::int AS n FROM alarm_call WHERE alarm_id = $1`, [alarmId])).toEqual([{ n: 0 }]);
    });

    it("erasing a contact takes their name and the note off the calls to them; erasing the customer, every call's note", async () => {
      const { alarmId, customer, contacts } = await open('WA', 1);
      await call(alarmId, { to: 'contact', contactId: contacts[0].id, outcome: 'wrong_number', note: 'a neighbour answered' });
      await call(alarmId, { to: 'other', number: '+46812345679', outcome: 'busy', note: 'the caretaker' });
      await f.act(alarmId, { action: 'false_alarm' });
      const dpo = await t.tokenFor('dpo');
      expect((await t.request('POST', `/api/customers/${customer.id}/contacts/${contacts[0].id}/erasure`, { token: dpo })).status).toBe(200);
      const toContact = (await f.alarm(alarmId)).timeline.find((e: any) => e.type === 'call' && e.to === 'contact');
      // The call stays a call to a contact, but no longer says which one.
      expect(toContact).toMatchObject({ outcome: 'wrong_number', note: '[erased]' });
      expect(toContact).not.toHaveProperty('contactName');
      expect(JSON.stringify(toContact)).not.toContain(contacts[0].id);
      const [{ n: before }] = await t.query(`SELECT count(*)::int AS n FROM alarm WHERE customer_id = $1`, [ANONYMOUS_ID]);
      expect((await t.request('POST', `/api/customers/${customer.id}/erasure`, { token: dpo })).status).toBe(200);
      // The alarm's history moved to a new id; its calls keep whom (as a kind) and how it went, no number or note.
      expect(await t.query(`SELECT 1 FROM alarm_call WHERE alarm_id = $1`, [alarmId])).toEqual([]);
      const kept = await t.query(`SELECT id FROM alarm WHERE customer_id = $1`, [ANONYMOUS_ID]);
      expect(kept.length).toBe(before + 1);
      const rows = await t.query(
        `SELECT to_kind, number, note, outcome FROM alarm_call WHERE alarm_id IN (SELECT id FROM alarm WHERE customer_id = $1) AND to_kind IN ('contact', 'other') AND outcome IN ('wrong_number', 'busy') ORDER BY created_at`,
        [ANONYMOUS_ID],
      );
      expect(rows).toEqual(
        expect.arrayContaining([
          { to_kind: 'contact', number: null, note: null, outcome: 'wrong_number' },
          { to_kind: 'other', number: null, note: null, outcome: 'busy' },
        ]),
      );
      const logged = await t.query(
        `SELECT data FROM alarm_log WHERE alarm_id IN (SELECT id FROM alarm WHERE customer_id = $1) AND kind = 'call' AND data->>'to' = 'other'`,
        [ANONYMOUS_ID],
      );
      expect(logged.length).toBeGreaterThan(0);
      for (const l of logged) {
        expect(l.data).not.toHaveProperty('number');
        expect(l.data).not.toHaveProperty('note');
      }
    });

    it('is for operators and supervisors (and admin), not the DPO or anyone without a token', async () => {
      const { alarmId } = await open('WA');
      expect((await call(alarmId, { to: 'owner', outcome: 'busy' }, f.tokens.supervisor)).status).toBe(201);
      expect((await call(alarmId, { to: 'owner', outcome: 'busy' }, await t.tokenFor('admin'))).status).toBe(201);
      expect((await call(alarmId, { to: 'owner', outcome: 'busy' }, await t.tokenFor('dpo'))).status).toBe(403);
      expect((await t.request('POST', `/api/alarms/${alarmId}/calls`, { body: { to: 'owner', outcome: 'busy' } })).status).toBe(401);
    });
  });

  describe('POST/DELETE /api/alarms/:id/claim', () => {
    it('claims, shows the handler on the list, the alarm and the stream, hands over, and releases', async () => {
      const { alarmId, customer } = await open('WA');
      const stream = await openAlarmStream(t.baseUrl, f.tokens.supervisor);
      try {
        const claimed = await claim(alarmId);
        expect(claimed.status).toBe(200);
        expect(claimed.body.handler).toEqual({ id: operatorId, name: 'Test operator' });
        const list = await t.request('GET', `/api/alarms?customerId=${customer.id}`, { token: f.tokens.supervisor });
        expect(list.body.items[0].handler).toEqual({ id: operatorId, name: 'Test operator' });
        await waitUntil(
          async () => stream.eventsAbout(alarmId).some((e) => e.includes(`"handler":{"id":"${operatorId}","name":"Test operator"}`)),
          8000,
          'the claim on the stream',
        );

        const handedOver = await claim(alarmId, { operatorId: supervisorId });
        expect(handedOver.body.handler).toEqual({ id: supervisorId, name: 'Test supervisor' });
        const released = await t.request('DELETE', `/api/alarms/${alarmId}/claim`, { token: f.tokens.supervisor });
        expect(released.status).toBe(200);
        expect(released.body.handler).toBeNull();
        await waitUntil(async () => stream.eventsAbout(alarmId).some((e) => e.includes('"handler":null')), 8000, 'the release on the stream');
        const log = released.body.timeline.filter((e: any) => e.type === 'claimed' || e.type === 'released');
        expect(log).toEqual([
          expect.objectContaining({ type: 'claimed', handlerId: operatorId, operatorName: 'Test operator', handOver: false }),
          expect.objectContaining({
            type: 'claimed',
            handlerId: supervisorId,
            handlerName: 'Test supervisor',
            handOver: true,
            takeOver: false,
            previousHandlerName: 'Test operator',
          }),
          expect.objectContaining({ type: 'released', previousHandlerId: supervisorId, operatorName: 'Test supervisor' }),
        ]);
      } finally {
        await stream.close();
      }
    });

    it("takes over another operator's claim, recorded as such; actions by someone else say who was handling", async () => {
      const { alarmId } = await open('WA');
      await claim(alarmId);
      const note = await t.request('POST', `/api/alarms/${alarmId}/actions`, { token: f.tokens.supervisor, body: { action: 'note', note: 'looked at it' } });
      expect(note.status).toBe(201);
      expect(note.body.timeline.find((e: any) => e.type === 'action')).toMatchObject({
        operatorName: 'Test supervisor',
        handlerId: operatorId,
        handlerName: 'Test operator',
      });
      const busy = await call(alarmId, { to: 'owner', outcome: 'busy' }, f.tokens.supervisor);
      expect(busy.body.alarm.timeline.find((e: any) => e.type === 'call')).toMatchObject({ handlerName: 'Test operator' });
      const taken = await claim(alarmId, {}, f.tokens.supervisor);
      expect(taken.body.handler).toEqual({ id: supervisorId, name: 'Test supervisor' });
      expect(taken.body.timeline.filter((e: any) => e.type === 'claimed').pop()).toMatchObject({ takeOver: true, previousHandlerName: 'Test operator' });
      // The handler's own action says nothing more.
      const own = await t.request('POST', `/api/alarms/${alarmId}/actions`, { token: f.tokens.supervisor, body: { action: 'note', note: 'mine now' } });
      expect(own.body.timeline.filter((e: any) => e.type === 'action').pop()).not.toHaveProperty('handlerName');
    });

    it('ends the claim when the alarm closes, and refuses to claim a closed one', async () => {
      const { alarmId } = await open('WA');
      await claim(alarmId);
      const closed = await f.act(alarmId, { action: 'false_alarm' });
      expect(closed.body.handler).toBeNull();
      expect((await claim(alarmId)).status).toBe(409);
    });

    it('refuses a hand-over to an unknown, disabled or DPO account, and checks its input and roles', async () => {
      const { alarmId } = await open('WA');
      const admin = await t.tokenFor('admin');
      const made = await t.request('POST', '/api/operators', {
        token: admin,
        body: { email: 'gone@test.local', name: 'Gone Operator', role: 'operator', password: 'gone-password-123' },
      });
      expect(made.status).toBe(201);
      await t.query(`UPDATE operator SET disabled_at = now() WHERE id = $1`, [made.body.id]);
      await t.tokenFor('dpo');
      const [dpo] = await t.query<{ id: string }>(`SELECT id FROM operator WHERE email = 'dpo@test.local'`);
      expect((await claim(alarmId, { operatorId: UNKNOWN })).status).toBe(404);
      const disabled = await claim(alarmId, { operatorId: made.body.id });
      expect(disabled.status).toBe(422);
      expect(disabled.body.message).toContain('disabled');
      expect((await claim(alarmId, { operatorId: dpo.id })).status).toBe(422);
      const bad = await claim(alarmId, { operatorId: 'someone' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(['operatorId must be a UUID']);
      expect((await claim(alarmId, { force: true })).status).toBe(400);
      expect((await claim(UNKNOWN)).status).toBe(404);
      expect((await t.request('DELETE', `/api/alarms/${UNKNOWN}/claim`, { token: f.tokens.operator })).status).toBe(404);
      expect((await t.request('DELETE', `/api/alarms/not-a-uuid/claim`, { token: f.tokens.operator })).status).toBe(400);
      expect((await claim(alarmId, {}, await t.tokenFor('dpo'))).status).toBe(403);
      expect((await t.request('DELETE', `/api/alarms/${alarmId}/claim`, { token: await t.tokenFor('dpo') })).status).toBe(403);
      expect((await t.request('POST', `/api/alarms/${alarmId}/claim`, { body: {} })).status).toBe(401);
      expect((await f.alarm(alarmId)).handler).toBeNull();
    });

    it('lists whom an alarm can be handed to: enabled operators, supervisors and admins, by name', async () => {
      await t.tokenFor('dpo');
      const res = await t.request('GET', '/api/alarm-handlers', { token: f.tokens.operator });
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual(
        expect.arrayContaining([
          { id: operatorId, name: 'Test operator' },
          { id: supervisorId, name: 'Test supervisor' },
        ]),
      );
      expect(res.body.items.map((i: any) => i.name)).not.toContain('Test dpo');
      expect(res.body.items.map((i: any) => i.name)).not.toContain('Gone Operator');
      expect(res.body.total).toBe(res.body.items.length);
      expect((await t.request('GET', '/api/alarm-handlers', { token: await t.tokenFor('dpo') })).status).toBe(403);
      expect((await t.request('GET', '/api/alarm-handlers')).status).toBe(401);
    });
  });

  describe('POST /api/alarms/actions', () => {
    const bulk = (body: unknown, token = f.tokens.operator) => t.request('POST', '/api/alarms/actions', { token, body });

    it('resolves several alarms with one note, each on its own timeline and in the processing log', async () => {
      const alarms = [await open('AT'), await open('AT'), await open('AT')];
      const res = await bulk({ alarmIds: alarms.map((a) => a.alarmId), action: 'resolved', note: 'mains back after the power cut' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ total: 3, items: alarms.map((a) => ({ alarmId: a.alarmId, status: 'ok' })) });
      for (const a of alarms) {
        const alarm = await f.alarm(a.alarmId);
        expect(alarm.status).toBe('closed');
        expect(alarm.timeline).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ type: 'action', action: 'resolved', note: 'mains back after the power cut', operatorId }),
            expect.objectContaining({ type: 'closed' }),
          ]),
        );
      }
      const [entry] = await t.query<{ subject_ids: string[] }>(
        `SELECT subject_ids FROM processing_log WHERE operation = 'alarms.actions.bulk' ORDER BY seq DESC LIMIT 1`,
      );
      expect(entry.subject_ids).toEqual(expect.arrayContaining(alarms.map((a) => a.customer.id)));
    });

    it('answers one result per alarm: unknown and closed alarms fail alone', async () => {
      const ok = await open('AT');
      const closed = await open('AT');
      await f.act(closed.alarmId, { action: 'false_alarm' });
      const res = await bulk({ alarmIds: [ok.alarmId, UNKNOWN, closed.alarmId], action: 'owner_reached' });
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        { alarmId: ok.alarmId, status: 'ok' },
        { alarmId: UNKNOWN, status: 'error', error: { status: 404, code: 'alarm_not_found', message: expect.any(String) } },
        { alarmId: closed.alarmId, status: 'error', error: { status: 409, code: 'alarm_closed', message: expect.any(String) } },
      ]);
      expect((await f.alarm(ok.alarmId)).stage).toBe('acknowledged');
    });

    it('refuses too many, repeated or malformed ids, actions that need per-alarm data, a missing note, and checks roles', async () => {
      const ids = Array.from({ length: 201 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      const tooMany = await bulk({ alarmIds: ids, action: 'false_alarm' });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.message).toContain('alarmIds must name at most 200 alarms');
      expect((await bulk({ alarmIds: [], action: 'false_alarm' })).status).toBe(400);
      expect((await bulk({ alarmIds: [UNKNOWN, UNKNOWN], action: 'false_alarm' })).body.message).toContain('alarmIds must not name an alarm twice');
      expect((await bulk({ alarmIds: ['x'], action: 'false_alarm' })).body.message).toContain('each of alarmIds must be a UUID');
      const contact = await bulk({ alarmIds: [UNKNOWN], action: 'contact_reached' });
      expect(contact.status).toBe(400);
      expect(contact.body.message[0]).toContain('action must be one of');
      const { alarmId } = await open('AT');
      const noNote = await bulk({ alarmIds: [alarmId], action: 'resolved' });
      expect(noNote.body.items[0]).toMatchObject({ status: 'error', error: { status: 400, code: 'alarm_action_note_required' } });
      expect((await bulk({ alarmIds: [alarmId], action: 'note', note: 'x' }, await t.tokenFor('dpo'))).status).toBe(403);
      expect((await t.request('POST', '/api/alarms/actions', { body: { alarmIds: [alarmId], action: 'note', note: 'x' } })).status).toBe(401);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PanelSupervision } from '../src/alarms/panel-supervision.js';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { openAlarmStream } from './support/sse.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** The operators' side: the queue, one alarm with its timeline, actions, the live stream, settings, supervision. */
describe('alarms API', () => {
  let t: TestApp;
  let f: AlarmFixtures;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 2000);
  });
  afterAll(async () => t?.close());

  const open = async (code: string, zone?: string, contacts = 0) => {
    const h = await f.household(contacts);
    const res = await f.post(h.panel, { eventId: `${code}-${zone ?? ''}`, code, ...(zone ? { zone } : {}) });
    expect(res.status).toBe(202);
    return { ...h, alarmId: res.body.alarmId as string };
  };

  describe('GET /api/alarms', () => {
    it('lists open alarms worst first: panic/duress, unreached, fire/gas/medical, burglary and the rest, technical, acknowledged; then oldest', async () => {
      const customer = await f.customer();
      const panel = await f.panel(customer.id);
      const post = async (eventId: string, code: string, zone: string) => (await f.post(panel, { eventId, code, zone })).body.alarmId as string;
      const technicalUnreached = await post('o-0', 'YT', '9');
      const technical = await post('o-1', 'AT', '1');
      const burglaryAcknowledged = await post('o-1b', 'BA', '3');
      const burglaryOld = await post('o-2', 'BA', '1');
      const water = await post('o-3', 'WA', '1');
      const burglaryUnreached = await post('o-4', 'BA', '2');
      const fire = await post('o-5', 'FA', '1');
      const duress = await post('o-6', 'HA', '1');
      // Nobody reached: a burglary, and a technical alarm's owner (technical stays low, docs/alarm-handling.md#queue-order).
      await t.query(`UPDATE alarm SET stage = 'unreached', next_step_at = NULL WHERE id = ANY($1)`, [[burglaryUnreached, technicalUnreached]]);
      await f.act(burglaryAcknowledged, { action: 'owner_reached' });
      const res = await t.request('GET', `/api/alarms?status=open&customerId=${customer.id}`, { token: f.tokens.operator });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(8);
      // The duress came last and is unreached from the start (it texts no one): still on top.
      expect(res.body.items.map((a: any) => a.id)).toEqual([
        duress,
        burglaryUnreached,
        fire,
        burglaryOld,
        water,
        technicalUnreached,
        technical,
        burglaryAcknowledged,
      ]);
      expect(res.body.items.map((a: any) => a.priority)).toEqual([0, 1, 2, 3, 3, 4, 4, 5]);
      expect(res.body.items[2]).toMatchObject({
        class: 'fire',
        trigger: { code: 'FA', text: null },
        status: 'open',
        stage: 'owner',
        customerId: customer.id,
        panelId: panel.id,
        acknowledgedBy: null,
        closedAt: null,
        customer: { name: expect.stringContaining('Anna Lind'), alarmAddress: expect.objectContaining({ street: expect.any(String) }) },
        escalation: { step: 'owner', ownerWaitSeconds: 30, contactWaitSeconds: 60, chain: [] },
      });
    });

    it('filters by status and customer, and checks its query', async () => {
      const { alarmId, customer } = await open('BA', '1');
      await f.act(alarmId, { action: 'false_alarm' });
      const closed = await t.request('GET', `/api/alarms?status=closed&customerId=${customer.id}`, { token: f.tokens.operator });
      expect(closed.body).toMatchObject({ total: 1, items: [{ id: alarmId, status: 'closed' }] });
      const none = await t.request('GET', `/api/alarms?status=open&customerId=${customer.id}`, { token: f.tokens.operator });
      expect(none.body).toEqual({ items: [], total: 0 });
      const bad = await t.request('GET', '/api/alarms?status=maybe&customerId=nope', { token: f.tokens.operator });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(expect.arrayContaining(['status must be "open" or "closed"', 'customerId must be a UUID']));
    });

    it('is for operators and supervisors (and admin), not the DPO or anyone without a token', async () => {
      expect((await t.request('GET', '/api/alarms', { token: f.tokens.supervisor })).status).toBe(200);
      expect((await t.request('GET', '/api/alarms', { token: await t.tokenFor('dpo') })).status).toBe(403);
      expect((await t.request('GET', '/api/alarms')).status).toBe(401);
    });
  });

  describe('GET /api/alarms/:id', () => {
    it('shows the alarm with its timeline: the events, the SMS with their status, in order', async () => {
      const { alarmId, panel, customer } = await open('BA', '7');
      await f.post(panel, { eventId: 'again', code: 'BA', zone: '7' });
      await waitUntil(async () => (await t.query(`SELECT 1 FROM sms_message WHERE alarm_id = $1 AND status = 'sent'`, [alarmId])).length > 0);
      const alarm = await f.alarm(alarmId);
      expect(alarm).toMatchObject({ id: alarmId, customerId: customer.id, class: 'burglary', zone: '7', eventCount: 2, status: 'open', stage: 'owner' });
      expect(alarm.timeline.map((e: any) => e.type)).toEqual(['event', 'opened', 'sms', 'event']);
      expect(alarm.timeline[2]).toMatchObject({
        type: 'sms',
        purpose: 'alarm_owner',
        to: customer.phone,
        status: 'sent',
        body: expect.stringMatching(/ Reply [1-9]\d\d if you are handling it\.$/),
      });
      expect(alarm.timeline[3]).toMatchObject({ type: 'event', eventId: 'again', code: 'BA', zone: '7' });
    });

    it('answers 404 for an unknown alarm and 400 for a malformed id', async () => {
      expect((await t.request('GET', `/api/alarms/${UNKNOWN}`, { token: f.tokens.operator })).status).toBe(404);
      expect((await t.request('GET', '/api/alarms/42', { token: f.tokens.operator })).status).toBe(400);
    });
  });

  describe('POST /api/alarms/:id/actions', () => {
    it("owner_reached acknowledges on the owner's behalf and stops the escalation; the alarm stays open", async () => {
      const { alarmId, customer } = await open('BA', '1', 1);
      const res = await f.act(alarmId, { action: 'owner_reached', note: 'called her, she is at home' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        status: 'open',
        stage: 'acknowledged',
        acknowledgedBy: { type: 'owner', customerId: customer.id, via: 'operator', operatorId: expect.any(String) },
        escalation: { nextStepAt: null },
      });
      const action = res.body.timeline.find((e: any) => e.type === 'action');
      expect(action).toMatchObject({
        action: 'owner_reached',
        note: 'called her, she is at home',
        operatorId: expect.any(String),
        operatorName: 'Test operator',
      });
    });

    it("contact_reached needs a contact of the alarm's chain, and acknowledges on their behalf", async () => {
      const { alarmId, contacts } = await open('BA', '1', 2);
      const missing = await f.act(alarmId, { action: 'contact_reached' });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toBe('contactId is required for contact_reached');
      const stranger = await f.contact((await f.customer()).id);
      const outside = await f.act(alarmId, { action: 'contact_reached', contactId: stranger.id });
      expect(outside.status).toBe(422);
      const ok = await f.act(alarmId, { action: 'contact_reached', contactId: contacts[1].id });
      expect(ok.status).toBe(201);
      expect(ok.body.acknowledgedBy).toMatchObject({ type: 'contact', contactId: contacts[1].id, via: 'operator', name: expect.stringContaining('Contact') });
    });

    it('records a guard dispatch (with its partner) and emergency services, and closes on false_alarm or resolved', async () => {
      const { alarmId } = await open('FA', '1');
      const noPartner = await f.act(alarmId, { action: 'guard_dispatched' });
      expect(noPartner.status).toBe(400);
      expect(noPartner.body.message).toContain('partner is required');
      expect((await f.act(alarmId, { action: 'guard_dispatched', partner: 'Securitas' })).status).toBe(201);
      expect((await f.act(alarmId, { action: 'emergency_services_called' })).status).toBe(201);
      const noNote = await f.act(alarmId, { action: 'resolved' });
      expect(noNote.status).toBe(400);
      const resolved = await f.act(alarmId, { action: 'resolved', note: 'fire brigade put it out' });
      expect(resolved.status).toBe(201);
      expect(resolved.body).toMatchObject({ status: 'closed', closedAt: expect.any(String), stage: 'owner' });
      const actions = resolved.body.timeline.filter((e: any) => e.type === 'action').map((e: any) => [e.action, e.partner ?? null]);
      expect(actions).toEqual([
        ['guard_dispatched', 'Securitas'],
        ['emergency_services_called', null],
        ['resolved', null],
      ]);
      expect(resolved.body.timeline.at(-1)).toMatchObject({ type: 'closed', action: 'resolved' });

      const closedAgain = await f.act(alarmId, { action: 'false_alarm' });
      expect(closedAgain.status).toBe(409);
      expect(closedAgain.body.message).toContain('is closed');
      expect((await f.act(alarmId, { action: 'note', note: 'customer called back' })).status).toBe(201);
    });

    it('checks the body and who may act', async () => {
      const { alarmId } = await open('BA', '1');
      const bad = await f.act(alarmId, { action: 'panic' });
      expect(bad.status).toBe(400);
      expect(bad.body.message[0]).toContain('action must be one of owner_reached, contact_reached');
      const dpo = await t.tokenFor('dpo');
      expect((await t.request('POST', `/api/alarms/${alarmId}/actions`, { token: dpo, body: { action: 'note', note: 'x' } })).status).toBe(403);
      expect((await f.act(UNKNOWN, { action: 'note', note: 'x' })).status).toBe(404);
      const logged = await t.query(
        `SELECT operation, legal_basis, subject_ids::text[] AS s FROM processing_log WHERE operation = 'alarms.actions' ORDER BY seq DESC LIMIT 1`,
      );
      expect(logged[0]).toMatchObject({ operation: 'alarms.actions', legal_basis: 'contract' });
    });
  });

  describe('GET /api/alarms/stream', () => {
    it('sends a server-sent event when an alarm changes, with the alarm as it is now', async () => {
      const h = await f.household(0);
      const stream = await openAlarmStream(t.baseUrl, f.tokens.operator);
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toContain('text/event-stream');
      await new Promise((r) => setTimeout(r, 100));
      const posted = await f.post(h.panel, { eventId: 'sse-1', code: 'BA' });
      const alarmId = posted.body.alarmId;
      await waitUntil(async () => stream.text().includes(alarmId), 3000, 'the opening on the stream');
      await f.act(alarmId, { action: 'owner_reached' });
      await waitUntil(async () => stream.text().includes('"stage":"acknowledged"'), 3000, 'the acknowledgement on the stream');
      await stream.close();
      const events = stream.eventsAbout(alarmId);
      expect(events[0]).toMatch(/^event: alarm\nid: [0-9a-f-]{36}\ndata: \{/m);
      const data = JSON.parse(
        events
          .at(-1)!
          .split('\n')
          .find((l) => l.startsWith('data: '))!
          .slice(6),
      );
      expect(data).toMatchObject({ id: alarmId, stage: 'acknowledged', class: 'burglary' });
    });

    it('sends an alarm that changes many times at once as it is now, not once per change', async () => {
      const h = await f.household(0);
      const stream = await openAlarmStream(t.baseUrl, f.tokens.operator);
      await new Promise((r) => setTimeout(r, 100));
      // 30 signals racing into one alarm (flood control): 30 changes within moments.
      const posted = await Promise.all(Array.from({ length: 30 }, (_, i) => f.post(h.panel, { eventId: `sse-flood-${i}`, code: 'BA', zone: '9' })));
      const alarmId = posted[0].body.alarmId;
      const [{ event_count }] = await t.query(`SELECT event_count FROM alarm WHERE id = $1`, [alarmId]);
      expect(event_count).toBe(30);
      await waitUntil(async () => stream.text().includes('"eventCount":30'), 3000, 'the alarm with all 30 events on the stream');
      await stream.close();
      const events = stream.eventsAbout(alarmId);
      expect(events.length).toBeGreaterThan(0);
      expect(events.length).toBeLessThan(30);
    });

    it('is for operators and supervisors only', async () => {
      const res = await fetch(`${t.baseUrl}/api/alarms/stream`);
      expect(res.status).toBe(401);
    });
  });

  describe('escalation settings', () => {
    it('lists the waits of every class that texts anyone, with the documented defaults', async () => {
      const res = await t.request('GET', '/api/settings/escalation', { token: f.tokens.operator });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.classes).sort()).toEqual(['burglary', 'fire', 'gas', 'medical', 'tamper', 'technical', 'unknown', 'water']);
      expect(res.body.classes.fire).toEqual({ ownerWaitSeconds: 30, contactWaitSeconds: 60 });
      expect(res.body.classes.gas).toEqual({ ownerWaitSeconds: 30, contactWaitSeconds: 60 });
      expect(res.body.classes.medical).toEqual({ ownerWaitSeconds: 60, contactWaitSeconds: 60 });
    });

    it('lets a supervisor change them for alarms opened afterwards; a running alarm keeps its waits', async () => {
      const { alarmId } = await open('GA', '1');
      const put = await t.request('PUT', '/api/settings/escalation/gas', {
        token: f.tokens.supervisor,
        body: { ownerWaitSeconds: 45, contactWaitSeconds: 90 },
      });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ class: 'gas', ownerWaitSeconds: 45, contactWaitSeconds: 90 });
      expect((await t.request('GET', '/api/settings/escalation', { token: f.tokens.operator })).body.classes.gas).toEqual({
        ownerWaitSeconds: 45,
        contactWaitSeconds: 90,
      });
      expect((await f.alarm(alarmId)).escalation).toMatchObject({ ownerWaitSeconds: 30, contactWaitSeconds: 60 });
      const later = await open('GA', '1');
      expect((await f.alarm(later.alarmId)).escalation).toMatchObject({ ownerWaitSeconds: 45, contactWaitSeconds: 90 });
    });

    it('refuses operators, unknown or silent classes, and waits outside 1 to 3600 whole seconds', async () => {
      const body = { ownerWaitSeconds: 10, contactWaitSeconds: 10 };
      expect((await t.request('PUT', '/api/settings/escalation/fire', { token: f.tokens.operator, body })).status).toBe(403);
      const duress = await t.request('PUT', '/api/settings/escalation/duress', { token: f.tokens.supervisor, body });
      expect(duress.status).toBe(404);
      expect(duress.body.message).toContain('panic and duress text no one');
      const bad = await t.request('PUT', '/api/settings/escalation/fire', {
        token: f.tokens.supervisor,
        body: { ownerWaitSeconds: 0, contactWaitSeconds: 1.5 },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(expect.arrayContaining(['ownerWaitSeconds must be at least 1', 'contactWaitSeconds must be a whole number of seconds']));
      const tooLong = await t.request('PUT', '/api/settings/escalation/fire', {
        token: f.tokens.supervisor,
        body: { ownerWaitSeconds: 3601, contactWaitSeconds: 60 },
      });
      expect(tooLong.body.message).toEqual(['ownerWaitSeconds must be at most 3600']);
    });
  });

  describe('record of processing', () => {
    it('lists the alarm operations, the escalation SMS and the supervision job with their legal bases', async () => {
      const res = await t.request('GET', '/api/privacy/ropa', { token: await t.tokenFor('dpo') });
      expect(res.status).toBe(200);
      const byOperation = new Map<string, any>(res.body.items.map((i: any) => [i.operation, i]));
      const expected: Record<string, string> = {
        'panels.events.receive': 'contract',
        'alarms.list': 'contract',
        'alarms.read': 'contract',
        'alarms.stream': 'contract',
        'alarms.actions': 'contract',
        'customers.arming_history.read': 'contract',
        'alarms.escalation.text_owner': 'contract',
        'alarms.escalation.text_contact': 'legitimate_interests',
        'alarms.supervision.panel_offline': 'contract',
      };
      for (const [operation, legalBasis] of Object.entries(expected)) {
        expect(byOperation.get(operation)).toMatchObject({ operation, legalBasis });
      }
      expect(byOperation.get('alarms.escalation.text_contact').legalBasisNote).toContain('vital interests for fire, gas, medical and panic');
    });
  });

  describe('panel supervision', () => {
    it('opens one technical "panel offline" alarm per silence, texting the owner, and notes when the panel is back', async () => {
      const { panel, customer } = await f.household(0);
      expect((await f.post(panel, { eventId: 'hb-1', code: 'RP' })).status).toBe(202);
      const supervision = t.app.get(PanelSupervision);
      expect(await supervision.check()).toEqual([]);
      await t.query(`UPDATE panel SET supervision_interval_seconds = 60, last_seen_at = now() - interval '61 seconds' WHERE id = $1`, [panel.id]);
      const opened = await supervision.check();
      expect(opened).toHaveLength(1);
      expect(await supervision.check()).toEqual([]); // once per silence
      const alarm = await f.alarm(opened[0]);
      expect(alarm).toMatchObject({ class: 'technical', reason: 'panel_offline', customerId: customer.id, panelId: panel.id, stage: 'owner' });
      await waitUntil(async () => (await t.query(`SELECT body FROM sms_message WHERE alarm_id = $1`, [opened[0]]))[0], 3000, 'owner SMS');
      const [sms] = await t.query(`SELECT body, to_phone FROM sms_message WHERE alarm_id = $1`, [opened[0]]);
      expect(sms).toEqual({ body: expect.stringContaining('alarm panel not reporting'), to_phone: customer.phone });
      const logged = await t.query(`SELECT actor_type, actor_id FROM processing_log WHERE operation = 'alarms.supervision.panel_offline'`);
      expect(logged).toContainEqual({ actor_type: 'system', actor_id: 'panel-supervision' });

      expect((await f.post(panel, { eventId: 'hb-2', code: 'RP' })).status).toBe(202);
      const back = await f.alarm(opened[0]);
      expect(back.status).toBe('open'); // an operator closes it
      expect(back.timeline.find((e: any) => e.type === 'panel_reporting')).toMatchObject({ eventId: 'hb-2' });
    });

    it('does not supervise a panel never heard from (not installed yet)', async () => {
      const { panel } = await f.household(0);
      await t.query(`UPDATE panel SET supervision_interval_seconds = 60 WHERE id = $1`, [panel.id]);
      const opened = await t.app.get(PanelSupervision).check();
      const mine = await t.query(`SELECT id FROM alarm WHERE panel_id = $1`, [panel.id]);
      expect(mine).toEqual([]);
      expect(opened).toEqual([]);
    });
  });
});

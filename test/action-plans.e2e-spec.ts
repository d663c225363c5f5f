import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { openAlarmStream } from './support/sse.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const CLASSES = ['burglary', 'fire', 'gas', 'water', 'medical', 'panic', 'duress', 'tamper', 'technical', 'unknown'];
const JSON_TYPE = { 'content-type': 'application/json' };

/** Action plans: the central's per class, a customer's own, the plan an alarm freezes, and its steps ticked off. */
describe('action plans API', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let admin: string;
  let dpo: string;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    f = await AlarmFixtures.create(t, 4400);
    admin = await t.login();
    dpo = await t.tokenFor('dpo');
  });
  afterAll(async () => t?.close());

  const plans = async () => (await t.request('GET', '/api/settings/action-plans', { token: f.tokens.operator })).body.classes;
  const putCentral = (cls: string, body: unknown, token = f.tokens.supervisor) => t.request('PUT', `/api/settings/action-plans/${cls}`, { token, body });
  const open = async (code: string, h?: Awaited<ReturnType<AlarmFixtures['household']>>) => {
    const household = h ?? (await f.household());
    const res = await f.post(household.panel, { eventId: `${code}-${f.next()}`, code, zone: String(f.next()) });
    expect(res.status).toBe(202);
    return { ...household, alarmId: res.body.alarmId as string };
  };

  describe('the central plan per class', () => {
    it('has a default for every class from the first start; panic and duress call the police first and never the owner', async () => {
      const res = await t.request('GET', '/api/settings/action-plans', { token: f.tokens.operator });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.classes).sort()).toEqual([...CLASSES].sort());
      for (const cls of CLASSES) expect(res.body.classes[cls].steps.length).toBeGreaterThan(0);
      for (const cls of ['panic', 'duress']) {
        const steps = res.body.classes[cls].steps;
        expect(steps[0]).toEqual({ kind: 'call_emergency', text: expect.stringContaining('police') });
        expect(steps.map((s: any) => s.kind)).not.toContain('call_owner');
        expect(steps.map((s: any) => s.kind)).not.toContain('text_contacts');
        expect(steps.map((s: any) => s.text).join(' ')).toContain('Do NOT call or text the premises or the owner');
      }
      expect(res.body.classes.fire.steps[0]).toEqual({ kind: 'call_emergency', text: 'Call 112 (fire and rescue)' });
      expect(res.body.classes.burglary.steps.map((s: any) => s.kind)).toEqual(expect.arrayContaining(['verify_password', 'dispatch_guard']));
    });

    it('is read by operators, supervisors and admin; not by the DPO or without a token', async () => {
      expect((await t.request('GET', '/api/settings/action-plans', { token: f.tokens.supervisor })).status).toBe(200);
      expect((await t.request('GET', '/api/settings/action-plans', { token: admin })).status).toBe(200);
      expect((await t.request('GET', '/api/settings/action-plans', { token: dpo })).status).toBe(403);
      expect((await t.request('GET', '/api/settings/action-plans')).status).toBe(401);
    });

    it('is set by a supervisor or admin, not an operator', async () => {
      const body = {
        steps: [
          { kind: 'call_owner', text: 'Call the owner' },
          { kind: 'note', text: 'Tell the installer' },
        ],
      };
      expect((await putCentral('technical', body, f.tokens.operator)).status).toBe(403);
      expect((await putCentral('technical', body, dpo)).status).toBe(403);
      expect((await t.request('PUT', '/api/settings/action-plans/technical', { body })).status).toBe(401);
      const res = await putCentral('technical', body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ class: 'technical', ...body });
      expect((await plans()).technical.steps).toEqual(body.steps);
      expect((await putCentral('technical', { steps: [{ kind: 'note', text: 'By the admin' }] }, admin)).status).toBe(200);
    });

    it('refuses bad kinds, too many steps, long or blank texts, unknown fields, no steps and oversized bodies (400/413), naming the field', async () => {
      const before = await plans();
      const bad = async (body: unknown, message: string) => {
        const res = await putCentral('water', body);
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body.message)).toContain(message);
      };
      await bad({ steps: [{ kind: 'call_mom', text: 'x' }] }, 'kind must be one of call_owner, call_contacts, text_contacts');
      await bad({ steps: Array.from({ length: 21 }, () => ({ kind: 'note', text: 'x' })) }, 'steps must have at most 20 steps');
      await bad({ steps: [{ kind: 'note', text: 'x'.repeat(301) }] }, 'text must be at most 300 characters');
      await bad({ steps: [{ kind: 'note', text: '   ' }] }, 'text must not be blank');
      await bad({ steps: [{ kind: 'note', text: 'ok', done: true }] }, 'property done should not exist');
      await bad({ steps: [] }, 'steps must have at least one step');
      await bad({ steps: 'call 112' }, 'steps must be an array');
      await bad({}, 'steps must be an array');
      const huge = await t.request('PUT', '/api/settings/action-plans/water', {
        token: f.tokens.supervisor,
        raw: JSON.stringify({ steps: [{ kind: 'note', text: 'x'.repeat(110_000) }] }),
        headers: JSON_TYPE,
      });
      expect(huge.status).toBe(413);
      expect((await plans()).water).toEqual(before.water);
    });

    it('answers 404 for a class that opens no alarm or does not exist', async () => {
      for (const cls of ['arming', 'test', 'zombie']) {
        const res = await putCentral(cls, { steps: [{ kind: 'note', text: 'x' }] });
        expect(res.status).toBe(404);
        expect(res.body.message).toContain('class must be one of burglary, fire');
      }
    });
  });

  describe('an alarm freezes its plan when it opens', () => {
    it('shows the default plan with nothing done; a later change of the central plan does not change it, a new alarm gets the new one', async () => {
      const first = await open('GA');
      const alarm = await f.alarm(first.alarmId);
      const defaults = (await plans()).gas.steps;
      expect(alarm.actionPlan).toEqual({
        source: 'default',
        steps: defaults.map((s: any) => ({ ...s, done: false, doneAt: null, doneBy: null })),
      });
      const changed = [{ kind: 'call_emergency', text: 'Call 112 at once' }];
      expect((await putCentral('gas', { steps: changed })).status).toBe(200);
      expect((await f.alarm(first.alarmId)).actionPlan.steps.map((s: any) => s.text)).toEqual(defaults.map((s: any) => s.text));
      const second = await open('GA');
      expect((await f.alarm(second.alarmId)).actionPlan).toEqual({ source: 'default', steps: [{ ...changed[0], done: false, doneAt: null, doneBy: null }] });
    });

    it('a duress alarm opens with the police first and no call to the owner', async () => {
      const { alarmId } = await open('HA');
      const alarm = await f.alarm(alarmId);
      expect(alarm.actionPlan.source).toBe('default');
      expect(alarm.actionPlan.steps[0].kind).toBe('call_emergency');
      expect(alarm.actionPlan.steps.map((s: any) => s.kind)).not.toContain('call_owner');
    });
  });

  describe("a customer's own plan", () => {
    it('is used for their new alarms of that class, and frozen; removing it goes back to the default', async () => {
      const h = await f.household();
      const own = {
        steps: [
          { kind: 'call_contacts', text: 'Call the neighbour first, she has the key' },
          { kind: 'dispatch_guard', text: 'Then a guard' },
        ],
      };
      const put = await t.request('PUT', `/api/customers/${h.customer.id}/action-plans/burglary`, { token: f.tokens.supervisor, body: own });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ customerId: h.customer.id, class: 'burglary', ...own });
      const listed = await t.request('GET', `/api/customers/${h.customer.id}/action-plans`, { token: f.tokens.operator });
      expect(listed.status).toBe(200);
      expect(listed.body.classes).toEqual({ burglary: { steps: own.steps, updatedAt: expect.any(String) } });

      const burglary = await open('BA', h);
      expect((await f.alarm(burglary.alarmId)).actionPlan).toMatchObject({ source: 'customer', steps: own.steps });
      // Another class of the same customer uses the central plan.
      const fire = await open('FA', h);
      expect((await f.alarm(fire.alarmId)).actionPlan.source).toBe('default');

      // Changing or removing the customer's plan leaves the open alarm's plan as it was.
      await t.request('PUT', `/api/customers/${h.customer.id}/action-plans/burglary`, {
        token: f.tokens.supervisor,
        body: { steps: [{ kind: 'note', text: 'Changed' }] },
      });
      const removed = await t.request('DELETE', `/api/customers/${h.customer.id}/action-plans/burglary`, { token: f.tokens.supervisor });
      expect(removed.status).toBe(204);
      expect((await f.alarm(burglary.alarmId)).actionPlan).toMatchObject({ source: 'customer', steps: own.steps });
      expect((await t.request('DELETE', `/api/customers/${h.customer.id}/action-plans/burglary`, { token: f.tokens.supervisor })).status).toBe(404);

      await f.act(burglary.alarmId, { action: 'false_alarm' });
      const next = await open('BA', h);
      expect((await f.alarm(next.alarmId)).actionPlan.source).toBe('default');

      const logged = await t.query(
        `SELECT legal_basis, subject_ids::text[] AS s FROM processing_log WHERE operation = 'customers.action_plans.set' ORDER BY seq DESC LIMIT 1`,
      );
      expect(logged[0]).toEqual({ legal_basis: 'contract', s: [h.customer.id] });
      // The record of processing says so: the customer's own plans, and the plan an alarm is handled by.
      const ropa = new Map<string, any>((await t.request('GET', '/api/privacy/ropa', { token: dpo })).body.items.map((i: any) => [i.operation, i]));
      expect(ropa.get('customers.action_plans.set')).toMatchObject({ legalBasis: 'contract', dataSubjects: ['customers'] });
      expect(ropa.get('alarms.read').dataCategories).toContainEqual(expect.stringContaining('the action plan the alarm is handled by'));
    });

    it('is set and removed by a supervisor (or admin) only; unknown customers 404, bad ids and bodies 400', async () => {
      const { id } = await f.customer();
      const body = { steps: [{ kind: 'note', text: 'x' }] };
      const path = `/api/customers/${id}/action-plans/fire`;
      expect((await t.request('PUT', path, { token: f.tokens.operator, body })).status).toBe(403);
      expect((await t.request('DELETE', path, { token: f.tokens.operator })).status).toBe(403);
      expect((await t.request('PUT', path, { token: dpo, body })).status).toBe(403);
      expect((await t.request('PUT', path, { body })).status).toBe(401);
      expect((await t.request('GET', `/api/customers/${id}/action-plans`, { token: dpo })).status).toBe(403);
      expect((await t.request('PUT', path, { token: admin, body })).status).toBe(200);
      // It is the customer's to see: in their export.
      const exported = await t.request('GET', `/api/customers/${id}/export`, { token: dpo });
      expect(exported.body.actionPlans).toEqual([{ class: 'fire', steps: body.steps, updatedAt: expect.any(String) }]);
      expect((await t.request('PUT', `/api/customers/${UNKNOWN}/action-plans/fire`, { token: f.tokens.supervisor, body })).status).toBe(404);
      expect((await t.request('DELETE', `/api/customers/${UNKNOWN}/action-plans/fire`, { token: f.tokens.supervisor })).status).toBe(404);
      expect((await t.request('GET', `/api/customers/${UNKNOWN}/action-plans`, { token: f.tokens.operator })).status).toBe(404);
      // A former customer (deleted: the contract ended) is no one to plan for.
      const former = await f.customer();
      expect((await t.request('DELETE', `/api/customers/${former.id}`, { token: f.tokens.supervisor })).status).toBe(204);
      expect((await t.request('PUT', `/api/customers/${former.id}/action-plans/fire`, { token: f.tokens.supervisor, body })).status).toBe(404);
      const badId = await t.request('PUT', '/api/customers/nope/action-plans/fire', { token: f.tokens.supervisor, body });
      expect(badId.status).toBe(400);
      expect(badId.body.message).toBe('id must be a UUID');
      expect((await t.request('PUT', `/api/customers/${id}/action-plans/arming`, { token: f.tokens.supervisor, body })).status).toBe(404);
      const badKind = await t.request('PUT', path, { token: f.tokens.supervisor, body: { steps: [{ kind: 'pray', text: 'x' }] } });
      expect(badKind.status).toBe(400);
      const huge = await t.request('PUT', path, {
        token: f.tokens.supervisor,
        raw: JSON.stringify({ steps: [{ kind: 'note', text: 'x'.repeat(110_000) }] }),
        headers: JSON_TYPE,
      });
      expect(huge.status).toBe(413);
    });
  });

  describe('steps are ticked off', () => {
    it('by the actions that fulfil them, with who and when, on the timeline and the stream', async () => {
      const { alarmId } = await open('BA', await f.household(1));
      const stream = await openAlarmStream(t.baseUrl, f.tokens.operator);
      try {
        const owner = await f.act(alarmId, { action: 'owner_reached' });
        expect(owner.status).toBe(201);
        const steps = owner.body.actionPlan.steps;
        const kinds = steps.map((s: any) => s.kind);
        const callOwner = kinds.indexOf('call_owner');
        expect(steps[callOwner]).toMatchObject({ done: true, doneAt: expect.any(String), doneBy: { id: expect.any(String), name: expect.any(String) } });
        expect(steps.filter((s: any) => s.done)).toHaveLength(1);
        expect(owner.body.timeline).toContainEqual(expect.objectContaining({ type: 'step_done', step: callOwner, kind: 'call_owner' }));

        const guard = await f.act(alarmId, { action: 'guard_dispatched', partner: 'Securitas' });
        expect(guard.body.actionPlan.steps[kinds.indexOf('dispatch_guard')].done).toBe(true);

        const guardDone = (e: string) => {
          const data = JSON.parse(
            e
              .split('\n')
              .find((l) => l.startsWith('data:'))!
              .slice(5),
          );
          return data.actionPlan.steps.some((s: any) => s.kind === 'dispatch_guard' && s.done);
        };
        await waitUntil(async () => stream.eventsAbout(alarmId).some(guardDone), 8000, 'the ticked step on the stream');
      } finally {
        await stream.close();
      }
    });

    it('by step_done with its index; a step already done is 409 naming who; out of range or missing is 400', async () => {
      const { alarmId } = await open('BA');
      const verify = (await f.alarm(alarmId)).actionPlan.steps.findIndex((s: any) => s.kind === 'verify_password');
      const done = await f.act(alarmId, { action: 'step_done', step: verify });
      expect(done.status).toBe(201);
      expect(done.body.actionPlan.steps[verify]).toMatchObject({ done: true, doneBy: { name: expect.any(String) } });
      const entries = done.body.timeline.filter((e: any) => e.type === 'step_done' || e.type === 'action');
      expect(entries).toEqual([
        expect.objectContaining({ type: 'step_done', step: verify, kind: 'verify_password', operatorName: expect.any(String), operatorId: expect.any(String) }),
      ]);

      const again = await f.act(alarmId, { action: 'step_done', step: verify });
      expect(again.status).toBe(409);
      expect(again.body.message).toContain(`step ${verify} was already done by`);

      const count = done.body.actionPlan.steps.length;
      const outOfRange = await f.act(alarmId, { action: 'step_done', step: count });
      expect(outOfRange.status).toBe(400);
      expect(outOfRange.body.message).toBe(`step must be between 0 and ${count - 1} (this alarm's plan has ${count} steps)`);
      for (const [body, message] of [
        [{ action: 'step_done' }, 'step is required for step_done (the index of the step, from 0)'],
        [{ action: 'step_done', step: -1 }, 'step must be at least 0'],
        [{ action: 'step_done', step: 1.5 }, 'step must be a whole number (the index of a step, from 0)'],
        [{ action: 'step_done', step: '1' }, 'step must be a whole number (the index of a step, from 0)'],
      ] as const) {
        const res = await f.act(alarmId, body);
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body.message)).toContain(message);
      }
      expect((await t.request('POST', `/api/alarms/${UNKNOWN}/actions`, { token: f.tokens.operator, body: { action: 'step_done', step: 0 } })).status).toBe(
        404,
      );
      expect((await t.request('POST', `/api/alarms/${alarmId}/actions`, { token: dpo, body: { action: 'step_done', step: 0 } })).status).toBe(403);

      await f.act(alarmId, { action: 'false_alarm' });
      expect((await f.act(alarmId, { action: 'step_done', step: 0 })).status).toBe(409);
    });

    it("the operator's decision to text a duress alarm's contacts ticks a text_contacts step when the plan has one", async () => {
      const h = await f.household(1);
      await t.request('PUT', `/api/customers/${h.customer.id}/action-plans/duress`, {
        token: f.tokens.supervisor,
        body: {
          steps: [
            { kind: 'call_emergency', text: 'Police' },
            { kind: 'text_contacts', text: 'Then text the contacts' },
          ],
        },
      });
      const { alarmId } = await open('HA', h);
      const res = await f.act(alarmId, { action: 'notify_contacts' });
      expect(res.status).toBe(201);
      expect(res.body.actionPlan.steps.map((s: any) => s.done)).toEqual([false, true]);
      const emergency = await f.act(alarmId, { action: 'emergency_services_called', note: 'Police on the way' });
      expect(emergency.body.actionPlan.steps.map((s: any) => s.done)).toEqual([true, true]);
    });
  });
});

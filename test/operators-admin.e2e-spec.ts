import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlarmFixtures, waitUntil } from './support/alarm-fixtures.js';
import { openAlarmStream } from './support/sse.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('operator administration: disable, re-role, reset password, end sessions', () => {
  let t: TestApp;
  let f: AlarmFixtures;
  let admin: string;
  let n = 0;
  beforeAll(async () => {
    t = await createTestApp();
    f = await AlarmFixtures.create(t, 9700);
    admin = await t.tokenFor('admin');
  });
  afterAll(async () => t?.close());

  /** A new operator of `role`, logged in: their id, credentials and a token. */
  const staff = async (role = 'operator') => {
    n += 1;
    const email = `staff-${n}@test.local`;
    const password = `staff-password-${n}`;
    const created = await t.request('POST', '/api/operators', { token: admin, body: { email, name: `Staff ${n}`, role, password } });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, email, password, token: await t.login(email, password) };
  };
  const me = (token: string) => t.request('GET', '/api/auth/me', { token });
  const newAlarm = async () => {
    const { panel } = await f.household(0);
    const res = await f.post(panel, { eventId: `ev-${f.next()}`, code: 'BA', zone: '1' });
    expect(res.status).toBe(202);
    return res.body.alarmId as string;
  };
  const logged = (operation: string, subject: string) =>
    t.query(`SELECT actor_id, outcome FROM processing_log WHERE operation = $1 AND $2 = ANY(subject_ids) ORDER BY seq`, [operation, subject]);

  it('renames, re-roles and disables; the list shows who is disabled and when they last logged in', async () => {
    const bo = await staff();
    const renamed = await t.request('PATCH', `/api/operators/${bo.id}`, { token: admin, body: { name: 'Bo Berg' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: bo.id, name: 'Bo Berg', role: 'operator', disabled: false });
    // A new name changes nothing about access.
    expect((await me(bo.token)).status).toBe(200);

    const reroled = await t.request('PATCH', `/api/operators/${bo.id}`, { token: admin, body: { role: 'supervisor' } });
    expect(reroled.body).toMatchObject({ role: 'supervisor', disabled: false });
    expect((await me(bo.token)).status).toBe(401);
    const again = await t.login(bo.email, bo.password);
    expect((await me(again)).body.role).toBe('supervisor');

    const disabled = await t.request('PATCH', `/api/operators/${bo.id}`, { token: admin, body: { disabled: true } });
    expect(disabled.body).toMatchObject({ disabled: true, disabledAt: expect.any(String) });
    expect((await me(again)).status).toBe(401);
    const list = await t.request('GET', '/api/operators', { token: admin });
    expect(list.body.items.find((o: { id: string }) => o.id === bo.id)).toMatchObject({ disabled: true, lastLoginAt: expect.any(String) });

    expect((await logged('operators.update', bo.id)).map((r) => r.outcome)).toEqual(['success', 'success', 'success']);
  });

  it("refuses a disabled operator's session even if it was left in the table", async () => {
    const eva = await staff();
    await t.query(`UPDATE operator SET disabled_at = now() WHERE id = $1`, [eva.id]);
    expect((await me(eva.token)).status).toBe(401);
  });

  it('resets a password: the old one and every session stop working, the new one logs in', async () => {
    const cai = await staff();
    const second = await t.login(cai.email, cai.password);
    const res = await t.request('POST', `/api/operators/${cai.id}/password`, { token: admin, body: { password: 'a-brand-new-password' } });
    expect(res.status).toBe(204);
    expect((await me(cai.token)).status).toBe(401);
    expect((await me(second)).status).toBe(401);
    expect((await t.request('POST', '/api/auth/login', { body: { email: cai.email, password: cai.password } })).status).toBe(401);
    expect((await me(await t.login(cai.email, 'a-brand-new-password'))).status).toBe(200);
    const stored = await t.query(`SELECT password_hash FROM operator WHERE id = $1`, [cai.id]);
    expect(stored[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(await logged('operators.reset_password', cai.id)).toEqual([{ actor_id: expect.any(String), outcome: 'success' }]);
  });

  it('ends every session of an operator, and only theirs', async () => {
    const dan = await staff();
    const other = await staff();
    const second = await t.login(dan.email, dan.password);
    expect((await t.request('DELETE', `/api/operators/${dan.id}/sessions`, { token: admin })).status).toBe(204);
    expect((await me(dan.token)).status).toBe(401);
    expect((await me(second)).status).toBe(401);
    expect((await me(other.token)).status).toBe(200);
    expect(await logged('operators.end_sessions', dan.id)).toHaveLength(1);
  });

  it('is for admins only', async () => {
    const target = await staff();
    for (const role of ['operator', 'supervisor', 'dpo'] as const) {
      const token = await t.tokenFor(role);
      expect((await t.request('PATCH', `/api/operators/${target.id}`, { token, body: { disabled: true } })).status).toBe(403);
      expect((await t.request('POST', `/api/operators/${target.id}/password`, { token, body: { password: 'a-brand-new-password' } })).status).toBe(403);
      expect((await t.request('DELETE', `/api/operators/${target.id}/sessions`, { token })).status).toBe(403);
    }
    expect((await me(target.token)).status).toBe(200);
  });

  it('answers 404 for an unknown operator and 400 for a bad id or body, naming the field', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await t.request('PATCH', `/api/operators/${unknown}`, { token: admin, body: { name: 'X' } })).status).toBe(404);
    expect((await t.request('POST', `/api/operators/${unknown}/password`, { token: admin, body: { password: 'a-brand-new-password' } })).status).toBe(404);
    expect((await t.request('DELETE', `/api/operators/${unknown}/sessions`, { token: admin })).status).toBe(404);
    expect((await t.request('PATCH', '/api/operators/not-a-uuid', { token: admin, body: { name: 'X' } })).body.message).toBe('id must be a UUID');

    const target = await staff();
    const bad = await t.request('PATCH', `/api/operators/${target.id}`, { token: admin, body: { name: ' ', role: 'root', disabled: 'yes', email: 'x@y.z' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name must not be blank/),
        expect.stringMatching(/^role must be one of operator, supervisor, dpo, admin/),
        'disabled must be true or false',
        expect.stringMatching(/email/),
      ]),
    );
    const short = await t.request('POST', `/api/operators/${target.id}/password`, { token: admin, body: { password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.message).toEqual(['password must be at least 12 characters']);
    expect((await me(target.token)).status).toBe(200);
  });

  it('never leaves the central without an enabled admin (409), and the last admin stays untouched', async () => {
    const [{ id: adminId }] = await t.query(`SELECT id FROM operator WHERE email = 'admin@test.local'`);
    const demote = await t.request('PATCH', `/api/operators/${adminId}`, { token: admin, body: { role: 'supervisor' } });
    expect(demote.status).toBe(409);
    expect(demote.body.message).toMatch(/last enabled admin/);
    const disable = await t.request('PATCH', `/api/operators/${adminId}`, { token: admin, body: { disabled: true } });
    expect(disable.status).toBe(409);
    expect((await me(admin)).body.role).toBe('admin');

    // With a second admin, one may go; then the other is the last one. Both at once: one of them stays.
    const second = await staff('admin');
    const both = await Promise.all([
      t.request('PATCH', `/api/operators/${adminId}`, { token: second.token, body: { role: 'operator' } }),
      t.request('PATCH', `/api/operators/${second.id}`, { token: admin, body: { role: 'operator' } }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const admins = await t.query(`SELECT id FROM operator WHERE role = 'admin' AND disabled_at IS NULL`);
    expect(admins).toHaveLength(1);
    // Put things back for the other tests: the bootstrap admin is admin again.
    if (admins[0].id !== adminId) {
      await t.request('PATCH', `/api/operators/${adminId}`, { token: await t.login(second.email, second.password), body: { role: 'admin' } });
      admin = await t.login();
    }
  });

  describe('open alarm streams end with the session', () => {
    const cases: Array<[string, (op: { id: string; token: string }) => Promise<unknown>]> = [
      ['logs out', (op) => t.request('POST', '/api/auth/logout', { token: op.token })],
      ['is disabled', (op) => t.request('PATCH', `/api/operators/${op.id}`, { token: admin, body: { disabled: true } })],
      ['gets a new role', (op) => t.request('PATCH', `/api/operators/${op.id}`, { token: admin, body: { role: 'dpo' } })],
      ['gets a new password', (op) => t.request('POST', `/api/operators/${op.id}/password`, { token: admin, body: { password: 'a-brand-new-password' } })],
      ['has their sessions ended', (op) => t.request('DELETE', `/api/operators/${op.id}/sessions`, { token: admin })],
      // Another instance sharing the database: only the periodic check can notice.
      ['has their session ended on another instance', (op) => t.query(`DELETE FROM operator_session WHERE operator_id = $1`, [op.id])],
      ['is disabled on another instance', (op) => t.query(`UPDATE operator SET disabled_at = now() WHERE id = $1`, [op.id])],
      ['sees the session expire', (op) => t.query(`UPDATE operator_session SET expires_at = now() WHERE operator_id = $1`, [op.id])],
    ];
    it.each(cases)('when the operator %s: the stream closes within seconds and carries no alarm after', async (_, end) => {
      const op = await staff();
      const stream = await openAlarmStream(t.baseUrl, op.token);
      expect(stream.res.status).toBe(200);
      const before = await newAlarm();
      await waitUntil(async () => stream.eventsAbout(before).length > 0, 8000, 'the alarm on the stream');

      await end(op);
      // The timer is cleared once the stream ends: left pending, it would hold the Jest worker open.
      let stayedOpen: NodeJS.Timeout | undefined;
      await Promise.race([
        stream.ended,
        new Promise((_, reject) => (stayedOpen = setTimeout(() => reject(new Error('the stream stayed open')), 6000))),
      ]).finally(() => clearTimeout(stayedOpen));
      expect(stream.text()).toMatch(/event: session_ended\n/);
      const after = await newAlarm();
      // An alarm's change reaches a live stream within a second (FEED_WINDOW_MS); give it time to show it did not.
      const watcher = await openAlarmStream(t.baseUrl, (await staff()).token);
      await newAlarm();
      await waitUntil(async () => watcher.text().includes('event: alarm'), 8000, 'a later alarm on a live stream');
      await watcher.close();
      expect(stream.eventsAbout(after)).toEqual([]);
    });
  });
});

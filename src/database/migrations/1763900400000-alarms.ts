import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Panel events, alarms and their escalation (docs/api-contract.md#panel-events, alarms, escalation settings).
 *
 * customer_id and panel_id are plain uuids without foreign keys, as in sms_message: alarm history
 * must outlive an erased customer (it is anonymised for claims, not cascaded away), and the
 * register's tables must not depend on it.
 *
 * The escalation is durable here, in the alarm row itself (GoAlert's per-alert state row): the
 * frozen chain, the frozen waits, the current step, its SMS and when it falls due. Whoever holds the
 * row lock runs the step and moves the state on in one transaction, so no step runs twice.
 */
export class Alarms1763900400000 implements MigrationInterface {
  name = 'Alarms1763900400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alarm (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL,
        panel_id uuid NOT NULL,
        class text NOT NULL,
        zone text,
        -- Flood control key: 'z:' + zone for panel events, 'offline' for the supervision alarm.
        zone_key text NOT NULL,
        -- What opened it when no event did (panel_offline).
        reason text,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        stage text NOT NULL CHECK (stage IN ('owner', 'contacts', 'unreached', 'acknowledged')),
        opened_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        closed_by jsonb,
        acknowledged_at timestamptz,
        acknowledged_by jsonb,
        last_event_at timestamptz NOT NULL DEFAULT now(),
        event_count integer NOT NULL DEFAULT 0,
        -- Frozen when the alarm opens (Grafana OnCall): contacts added or reordered later do not change it.
        chain uuid[] NOT NULL DEFAULT '{}',
        owner_wait_seconds integer,
        contact_wait_seconds integer,
        -- 0: the owner; k: chain[k] (1-based).
        step integer NOT NULL DEFAULT 0,
        step_message_id uuid,
        -- When the engine must look at this alarm next; NULL when nothing is pending.
        next_step_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT alarm_closed_has_time CHECK ((status = 'closed') = (closed_at IS NOT NULL))
      )`);
    // Flood control (docs/alarm-handling.md#flood-control): one open alarm per panel, zone and class; a concurrent second
    // opener hits this index and joins the first instead.
    await q.query(`CREATE UNIQUE INDEX alarm_open_per_zone ON alarm (panel_id, zone_key, class) WHERE status = 'open'`);
    await q.query(`CREATE INDEX alarm_due ON alarm (next_step_at) WHERE next_step_at IS NOT NULL`);
    await q.query(`CREATE INDEX alarm_open_queue ON alarm (opened_at) WHERE status = 'open'`);
    await q.query(`CREATE INDEX alarm_customer ON alarm (customer_id, opened_at DESC)`);
    await q.query(`CREATE INDEX alarm_panel_open ON alarm (panel_id) WHERE status = 'open'`);

    await q.query(`
      CREATE TABLE panel_event (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        panel_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        event_id text NOT NULL,
        code text NOT NULL,
        class text NOT NULL,
        restore boolean NOT NULL,
        arming text CHECK (arming IN ('arm', 'disarm')),
        zone text,
        panel_user text,
        method text,
        text text,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        -- The alarm it opened, joined or (a restore) was attached to.
        alarm_id uuid REFERENCES alarm(id) ON DELETE SET NULL,
        -- Idempotency (docs/api-contract.md#panel-events): a panel's retry of the same eventId is a duplicate.
        CONSTRAINT panel_event_once UNIQUE (panel_id, event_id)
      )`);
    await q.query(`CREATE INDEX panel_event_alarm ON panel_event (alarm_id, received_at) WHERE alarm_id IS NOT NULL`);
    // Arm/disarm history per customer.
    await q.query(`CREATE INDEX panel_event_arming ON panel_event (customer_id, occurred_at DESC) WHERE class = 'arming'`);

    // Everything on an alarm's timeline that is neither a panel event nor an SMS: acknowledgements,
    // operator actions, stage changes, steps skipped.
    await q.query(`
      CREATE TABLE alarm_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        alarm_id uuid NOT NULL REFERENCES alarm(id) ON DELETE CASCADE,
        -- now(), the transaction's time, like sms_message.created_at: entries and SMS written in one
        -- transaction share a time, and the timeline orders them by kind and id.
        at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL,
        operator_id uuid,
        data jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX alarm_log_alarm ON alarm_log (alarm_id, at)`);

    // Reply codes: the lowest positive integer not in use by an open alarm's SMS to that phone.
    await q.query(`
      CREATE TABLE reply_code (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        phone text NOT NULL,
        code integer NOT NULL CHECK (code >= 1),
        alarm_id uuid NOT NULL REFERENCES alarm(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL,
        contact_id uuid,
        message_id uuid NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX reply_code_active ON reply_code (phone, code) WHERE active`);
    await q.query(`CREATE INDEX reply_code_alarm ON reply_code (alarm_id) WHERE active`);

    // Per-class waits (docs/alarm-handling.md#escalation-timings); only classes that text anyone have a row.
    await q.query(`
      CREATE TABLE escalation_setting (
        class text PRIMARY KEY,
        owner_wait_seconds integer NOT NULL CHECK (owner_wait_seconds BETWEEN 1 AND 3600),
        contact_wait_seconds integer NOT NULL CHECK (contact_wait_seconds BETWEEN 1 AND 3600),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid
      )`);
    // The defaults (docs/alarm-handling.md#escalation-timings): owner 60 s (fire and gas 30 s), each contact 60 s.
    await q.query(`
      INSERT INTO escalation_setting (class, owner_wait_seconds, contact_wait_seconds) VALUES
        ('burglary', 60, 60), ('fire', 30, 60), ('gas', 30, 60), ('water', 60, 60),
        ('medical', 60, 60), ('tamper', 60, 60), ('technical', 60, 60), ('unknown', 60, 60)`);

    // Panel supervision: one row per silence (a panel and the last_seen_at it went silent after),
    // so each silence opens one "panel offline" alarm, whichever instance notices it first.
    await q.query(`
      CREATE TABLE panel_silence (
        panel_id uuid NOT NULL,
        last_seen_at timestamptz NOT NULL,
        alarm_id uuid REFERENCES alarm(id) ON DELETE SET NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (panel_id, last_seen_at)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE panel_silence`);
    await q.query(`DROP TABLE escalation_setting`);
    await q.query(`DROP TABLE reply_code`);
    await q.query(`DROP TABLE alarm_log`);
    await q.query(`DROP TABLE panel_event`);
    await q.query(`DROP TABLE alarm`);
  }
}

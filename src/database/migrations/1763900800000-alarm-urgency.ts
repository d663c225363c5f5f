import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Life-safety first when the central is behind (a storm: a power cut coming back, a thunderstorm).
 * Steps that fall due together, and alarm SMS waiting together, are taken in this order, and only
 * then oldest first: a fire's next contact must not wait behind ten thousand burglaries. The order
 * is the operator queue's (docs/alarm-handling.md#queue-order: panic and duress, then fire, gas and medical, then burglary
 * and the rest, then technical), kept on the row so that the claim reads it from an index.
 *
 * A generated column, not a value the code writes: no path that opens an alarm can forget it.
 * The escalation claims due alarms by (urgency, next_step_at) (EscalationEngine); the outbox adds
 * it to an alarm SMS's priority (SmsOutbox), so an alarm SMS still always goes before a reply or a
 * notice.
 */
export class AlarmUrgency1763900800000 implements MigrationInterface {
  name = 'AlarmUrgency1763900800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE alarm ADD COLUMN urgency smallint NOT NULL GENERATED ALWAYS AS (CASE
        WHEN class IN ('panic', 'duress') THEN 3
        WHEN class IN ('fire', 'gas', 'medical') THEN 2
        WHEN class = 'technical' THEN 0
        ELSE 1 END) STORED`);
    await q.query(`CREATE INDEX alarm_due_by_urgency ON alarm (urgency DESC, next_step_at) WHERE next_step_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alarm_due_by_urgency`);
    await q.query(`ALTER TABLE alarm DROP COLUMN urgency`);
  }
}

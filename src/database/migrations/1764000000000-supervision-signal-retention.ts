import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Test signals and heartbeats are most of panel_event's rows, and after a while say nothing anyone
 * needs (the panel's last_seen_at keeps the supervision state): RetentionJobs deletes them after
 * SUPERVISION_SIGNAL_DAYS. A BRIN index on received_at lets that nightly delete skip every block
 * newer than its cutoff. BRIN, not a b-tree, because rows arrive in received_at order and a BRIN
 * costs next to nothing per insert: a heartbeat's insert is the hot path of ingest.
 */
export class SupervisionSignalRetention1764000000000 implements MigrationInterface {
  name = 'SupervisionSignalRetention1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX panel_event_received_brin ON panel_event USING brin (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX panel_event_received_brin`);
  }
}

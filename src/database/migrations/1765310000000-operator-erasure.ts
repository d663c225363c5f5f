import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A disabled operator's account is erased after its retention period: name, email and password go,
 * the row stays (alarm timelines and the processing log refer to it by id). erased_at says it was done.
 */
export class OperatorErasure1765310000000 implements MigrationInterface {
  name = 'OperatorErasure1765310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE operator ADD COLUMN erased_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE operator DROP COLUMN erased_at`);
  }
}

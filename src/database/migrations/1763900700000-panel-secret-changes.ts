import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells every instance when a panel's secret stops being valid, so they can keep secrets cached
 * (src/alarms/panel-secret-cache.ts) and still refuse an old one at once. Triggers, not calls in
 * the services, so that no path that changes a secret or ends a customer (a rotation, an erasure,
 * the retention job, a hand-written UPDATE) can forget to say so. The NOTIFY goes out on commit.
 * Payload: the panel id, or '*' when a customer ended (every panel of theirs; rare, so all are dropped).
 */
export class PanelSecretChanges1763900700000 implements MigrationInterface {
  name = 'PanelSecretChanges1763900700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION panel_secret_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'customer' THEN
          PERFORM pg_notify('keyholder_panel_secret', '*');
        ELSE
          PERFORM pg_notify('keyholder_panel_secret', OLD.id::text);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER panel_secret_changed AFTER UPDATE OF secret_encrypted OR DELETE ON panel
        FOR EACH ROW EXECUTE FUNCTION panel_secret_changed()`);
    await q.query(`
      CREATE TRIGGER customer_ended_panel_secrets AFTER UPDATE OF ended_at OR DELETE ON customer
        FOR EACH ROW WHEN (OLD.ended_at IS NULL) EXECUTE FUNCTION panel_secret_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER customer_ended_panel_secrets ON customer`);
    await q.query(`DROP TRIGGER panel_secret_changed ON panel`);
    await q.query(`DROP FUNCTION panel_secret_changed()`);
  }
}

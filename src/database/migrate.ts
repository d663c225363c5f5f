// `npm run migrate`: applies pending migrations to DATABASE_URL and exits, as DATABASE_MIGRATION_URL's
// role when that is set (then DATABASE_URL's role is granted what the app needs). The Docker image
// runs this before the app; the app also runs it at start-up, so either order is safe.
import { loadConfig, ConfigError } from '../config/app-config.js';
import { runMigrations } from './data-source.js';

try {
  const config = loadConfig();
  if (!config.databaseUrl) {
    process.stderr.write('DATABASE_URL: is required to run migrations on their own\n');
    process.exit(1);
  }
  const applied = await runMigrations(config.databaseMigrationUrl ?? config.databaseUrl, { appUrl: config.databaseUrl });
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
} catch (e) {
  process.stderr.write(e instanceof ConfigError ? `${e.message}\n` : `migration failed: ${(e as Error).message}\n`);
  process.exit(1);
}

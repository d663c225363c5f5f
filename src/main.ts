import 'reflect-metadata';
import { Logger, type INestApplication } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { AppConfig, ConfigError, controllerWarning, loadConfig } from './config/app-config.js';
import { runMigrations } from './database/data-source.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

let config: AppConfig;
try {
  config = loadConfig();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  say(e.message);
  process.exit(1);
}
const placeholders = controllerWarning(config);
if (placeholders) say(placeholders);

let embedded: EmbeddedDatabase | undefined;
let app: INestApplication | undefined;

// embedded-postgres installs its own SIGINT/SIGTERM hook that stops the database at once, racing
// requests still in flight. Replace it: close the app first, then the database.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.removeAllListeners(signal);
  process.once(signal, () => {
    say(`[keyholder] ${signal}: shutting down`);
    void (async () => {
      await app?.close().catch(() => undefined);
      await embedded?.stop().catch(() => undefined);
      process.exit(0);
    })();
  });
}

try {
  if (!config.databaseUrl) {
    // Its death and return are reported through the app's logger: as errors and info lines in the log.
    const supervision = new Logger('EmbeddedPostgres');
    embedded = await startEmbeddedPostgres(config.dataDir, (line) => say(`[keyholder] ${line}`), {
      supervise: { error: (line) => supervision.error(line), info: (line) => supervision.log(line) },
    });
    // Migrations as the schema's owner; the app as a role that owns nothing (database-roles.ts).
    config.databaseUrl = embedded.appUrl;
    config.databaseMigrationUrl = embedded.ownerUrl;
    say(`[keyholder] embedded PostgreSQL running, data in ${config.dataDir}`);
  }
  await runMigrations(config.databaseMigrationUrl ?? config.databaseUrl, { appUrl: config.databaseUrl });
  app = await createApp(config, say, { embeddedDatabase: embedded?.state });
  await app.listen(config.port);
  say(`[keyholder] listening on ${config.publicBaseUrl} (SMS: ${config.sms.provider})`);
} catch (e) {
  say(`[keyholder] start-up failed: ${(e as Error).message}`);
  await app?.close().catch(() => undefined);
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
}

import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { appRoleStanding } from './database-roles.js';

/**
 * Says once, at start-up, when the role the app connects as could lift the processing log's
 * append-only protection (a superuser, or the log's owner): the embedded database never does that,
 * but an external one is set up by its operator, who should hear of it.
 */
@Injectable()
export class AppRoleCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('DatabaseRole');

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    // A database that does not answer now is /health's to report, not a reason not to start.
    const standing = await appRoleStanding(this.dataSource).catch(() => undefined);
    if (!standing || !(standing.superuser || standing.ownsLog)) return;
    this.logger.warn(
      { role: standing.role, superuser: standing.superuser, ownsProcessingLog: standing.ownsLog },
      `the app's database role "${standing.role}" ${standing.superuser ? 'is a superuser' : 'owns the processing log'}, so it could lift the log's ` +
        'append-only protection: connect the app (DATABASE_URL) as a role that is neither, and run migrations as the owner (DATABASE_MIGRATION_URL); see the README',
    );
  }
}

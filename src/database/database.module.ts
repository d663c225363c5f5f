import { Module } from '@nestjs/common';
import { DatabaseNotifications } from './database-notifications.js';

/**
 * Database infrastructure beside TypeORM: the one LISTEN connection that hears the NOTIFYs of every
 * instance sharing the database. Every module that imports this shares that one connection.
 */
@Module({
  providers: [DatabaseNotifications],
  exports: [DatabaseNotifications],
})
export class DatabaseModule {}

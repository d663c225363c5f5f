import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { DataSubjectRequestsController } from './data-subject-requests.controller.js';
import { Erasure } from './erasure.js';
import { Restriction } from './restriction.js';
import { RetentionJobs } from './retention.js';
import { TableRetentionJobs } from './retention-tables.js';
import { SubjectAccess } from './subject-access.js';
import { RetainedTables } from './retention-rule.js';
import { ERASURE_RECORD_RETENTION } from './privacy.retention.js';

/**
 * Data-subject rights (access, portability, erasure, restriction) and the retention jobs. Apart from
 * PrivacyModule (global, imported by everything) because these read every register and the alarm
 * history; the jobs' @Cron needs ScheduleModule.forRoot(), imported once in AppModule.
 */
@RetainedTables(...ERASURE_RECORD_RETENTION)
@Module({
  imports: [CustomersModule, AlarmsModule],
  controllers: [DataSubjectRequestsController],
  providers: [SubjectAccess, Erasure, Restriction, RetentionJobs, TableRetentionJobs],
  exports: [Erasure, RetentionJobs, TableRetentionJobs],
})
export class PrivacyRightsModule {}

import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { SMS_MODULE } from '../alarms/sms-ports.js';
import { CustomersModule } from '../customers/customers.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { DataSubjectRequestsController } from './data-subject-requests.controller.js';
import { Erasure } from './erasure.js';
import { ProcessorDeletions } from './processor-deletion.js';
import { Restriction } from './restriction.js';
import { RetentionJobs } from './retention.js';
import { SubjectAccess } from './subject-access.js';

/**
 * Data-subject rights (access, portability, erasure, restriction) and the retention jobs. Apart from
 * PrivacyModule (global, imported by everything) because these read every register and the alarm
 * history; the jobs' @Cron needs ScheduleModule.forRoot(), imported once in AppModule.
 */
@Module({
  // SMS_MODULE: the Art. 19 notice of a restriction is queued through the outbox; erased messages are deleted at the provider.
  imports: [CustomersModule, AlarmsModule, SMS_MODULE, MetricsModule],
  controllers: [DataSubjectRequestsController],
  providers: [SubjectAccess, Erasure, Restriction, RetentionJobs, ProcessorDeletions],
  exports: [Erasure, RetentionJobs],
})
export class PrivacyRightsModule {}

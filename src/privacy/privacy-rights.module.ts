import { Module } from '@nestjs/common';
import { ActionPlansModule } from '../action-plans/action-plans.module.js';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { ClockModule } from '../common/clock.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PremisesModule } from '../premises/premises.module.js';
import { AlarmHistoryRepository } from './alarm-history.repository.js';
import { ContactDataRepository } from './contact-data.repository.js';
import { CustomerDataRepository } from './customer-data.repository.js';
import { DataSubjectRequestsController } from './data-subject-requests.controller.js';
import { Erasure } from './erasure.js';
import { ErasureRecordsRepository } from './erasure-records.repository.js';
import { PrivacyRequestsController } from './privacy-requests.controller.js';
import { PrivacyRequestsRepository } from './privacy-requests.repository.js';
import { PrivacyRequests } from './privacy-requests.service.js';
import { ProcessorDeletions } from './processor-deletion.js';
import { Restriction } from './restriction.js';
import { RestrictionsRepository } from './restrictions.repository.js';
import { RetentionJobs } from './retention.js';
import { TableRetentionJobs } from './retention-tables.js';
import { SubjectAccess } from './subject-access.js';
import { SubjectMessagesRepository } from './subject-messages.repository.js';
import { RetainedTables } from './retention-rule.js';
import { ERASURE_RECORD_RETENTION, PRIVACY_REQUEST_RETENTION, PROCESSOR_DELETION_RETENTION, RESTRICTION_RETENTION } from './privacy.retention.js';

/**
 * Data-subject rights (access, portability, erasure, restriction), the register of requests, and the retention jobs. Apart from
 * PrivacyModule (global, imported by everything) because these read every register and the alarm
 * history; the jobs' @Cron needs ScheduleModule.forRoot(), imported once in AppModule.
 */
@RetainedTables(...ERASURE_RECORD_RETENTION, ...PRIVACY_REQUEST_RETENTION, ...RESTRICTION_RETENTION, ...PROCESSOR_DELETION_RETENTION)
@Module({
  // SMS (global): the Art. 19 notice of a restriction is queued through the outbox; erased messages are deleted at the provider.
  imports: [CustomersModule, PremisesModule, ActionPlansModule, AlarmsModule, ClockModule, MetricsModule],
  controllers: [DataSubjectRequestsController, PrivacyRequestsController],
  providers: [
    CustomerDataRepository,
    ContactDataRepository,
    AlarmHistoryRepository,
    SubjectMessagesRepository,
    ErasureRecordsRepository,
    RestrictionsRepository,
    SubjectAccess,
    Erasure,
    Restriction,
    RetentionJobs,
    PrivacyRequestsRepository,
    PrivacyRequests,
    TableRetentionJobs,
    ProcessorDeletions,
  ],
  exports: [Erasure, RetentionJobs, TableRetentionJobs],
})
export class PrivacyRightsModule {}

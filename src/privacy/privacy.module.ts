import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PrivacyController } from './privacy.controller.js';
import { ProcessingLogCheck } from './processing-log-check.js';
import { ProcessingLogRetention } from './processing-log-retention.js';
import { ProcessingLogInterceptor } from './processing-log.interceptor.js';
import { ProcessingLogSealer } from './processing-log.sealer.js';
import { ProcessingLogVerifier } from './processing-log.verifier.js';
import { ProcessingLog } from './processing-log.service.js';
import { ProcessingRegistry } from './processing-registry.js';
import { RecordOfProcessing } from './record-of-processing.js';
import { RetentionRegistry } from './retention-registry.js';
import { RetainedTables } from './retention-rule.js';
import { PROCESSING_LOG_RETENTION } from './privacy.retention.js';

/**
 * The processing log, its hash chain and the record of processing. Global: jobs and message
 * handlers anywhere inject ProcessingLog (to record) and ProcessingRegistry (to declare).
 */
@RetainedTables(...PROCESSING_LOG_RETENTION)
@Global()
@Module({
  // The sealer's @Interval needs ScheduleModule.forRoot() imported once for the whole app (a second
  // import registers every interval twice and start-up fails); test/privacy.e2e-spec.ts checks it runs.
  imports: [DiscoveryModule, MetricsModule],
  controllers: [PrivacyController],
  providers: [
    ProcessingLog,
    ProcessingLogSealer,
    ProcessingLogVerifier,
    ProcessingLogCheck,
    ProcessingLogRetention,
    ProcessingRegistry,
    RecordOfProcessing,
    RetentionRegistry,
    ProcessingLogInterceptor,
    { provide: APP_INTERCEPTOR, useExisting: ProcessingLogInterceptor },
  ],
  // The interceptor too: guards refuse before it runs, and tell it (refusedBeforeHandler).
  exports: [ProcessingLog, ProcessingRegistry, RetentionRegistry, ProcessingLogSealer, ProcessingLogInterceptor],
})
export class PrivacyModule {}

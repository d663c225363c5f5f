import { Module } from '@nestjs/common';
import { RecordOfProcessing } from '../privacy/record-of-processing.js';
import { PrivacyPolicyController } from './privacy-policy.controller.js';
import { PrivacyPolicy } from './privacy-policy.js';

/**
 * GET /privacy and GET /privacy/:version. RecordOfProcessing is stateless (AppConfig and the global
 * ProcessingRegistry), so this module builds its own rather than reaching into PrivacyModule.
 */
@Module({
  controllers: [PrivacyPolicyController],
  providers: [PrivacyPolicy, RecordOfProcessing],
})
export class PrivacyPolicyModule {}

import { Module } from '@nestjs/common';
import { PrivacyPolicyController } from './privacy-policy.controller.js';
import { PrivacyPolicy } from './privacy-policy.js';

/** GET /privacy and GET /privacy/:version, rendered from the global ProcessingRegistry's declarations. */
@Module({
  controllers: [PrivacyPolicyController],
  providers: [PrivacyPolicy],
})
export class PrivacyPolicyModule {}

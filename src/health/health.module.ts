import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CustomersModule } from '../customers/customers.module.js';
import { AppRoleCheck } from '../database/app-role-check.js';
import { Dc09Module } from '../dc09/dc09.module.js';
import { DatabaseProbe } from './database-probe.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), Dc09Module, CustomersModule],
  controllers: [HealthController],
  providers: [DatabaseProbe, AppRoleCheck],
})
export class HealthModule {}

import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Dc09Module } from '../dc09/dc09.module.js';
import { DatabaseProbe } from './database-probe.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), Dc09Module],
  controllers: [HealthController],
  providers: [DatabaseProbe],
})
export class HealthModule {}

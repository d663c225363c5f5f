import { Module } from '@nestjs/common';
import { ClockModule } from '../common/clock.js';
import { AlarmFigures } from './alarm-figures.repository.js';
import { StatisticsController } from './statistics.controller.js';
import { StatisticsService } from './statistics.service.js';

/** The alarm central's response-time figures (docs/alarm-handling.md#response-time-figures), read-only over the alarm history. */
@Module({
  imports: [ClockModule],
  controllers: [StatisticsController],
  providers: [AlarmFigures, StatisticsService],
})
export class StatisticsModule {}

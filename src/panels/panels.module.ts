import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomersModule } from '../customers/customers.module.js';
import { Panel } from './panel.entity.js';
import { PanelsController } from './panels.controller.js';
import { PanelSecrets, PanelsService } from './panels.service.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { PANEL_RETENTION } from './panels.retention.js';

@RetainedTables(...PANEL_RETENTION)
@Module({
  imports: [TypeOrmModule.forFeature([Panel]), CustomersModule],
  controllers: [PanelsController],
  providers: [PanelsService, PanelSecrets],
  exports: [PanelsService, PanelSecrets],
})
export class PanelsModule {}

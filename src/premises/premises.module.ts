import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { PremisesController } from './premises.controller.js';
import { PremisesRepository } from './premises.repository.js';
import { PremisesService } from './premises.service.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { PREMISES_RETENTION } from './premises.retention.js';

/** A customer's premises facts (notes, access, verbal password, duress word, animals, zone and user names). */
@RetainedTables(...PREMISES_RETENTION)
@Module({
  imports: [CustomersModule],
  controllers: [PremisesController],
  providers: [PremisesRepository, PremisesService],
  exports: [PremisesRepository],
})
export class PremisesModule {}

import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { PremisesController } from './premises.controller.js';
import { PremisesRepository } from './premises.repository.js';
import { PremisesService } from './premises.service.js';

/** A customer's premises facts (notes, access, verbal password, duress word, animals, zone and user names). */
@Module({
  imports: [CustomersModule],
  controllers: [PremisesController],
  providers: [PremisesRepository, PremisesService],
})
export class PremisesModule {}

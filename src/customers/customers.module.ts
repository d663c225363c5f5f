import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FieldCipher } from '../common/field-cipher.js';
import { Customer } from './customer.entity.js';
import { CustomersController } from './customers.controller.js';
import { CustomersService } from './customers.service.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { CUSTOMER_RETENTION } from './customers.retention.js';

@RetainedTables(...CUSTOMER_RETENTION)
@Module({
  imports: [TypeOrmModule.forFeature([Customer])],
  controllers: [CustomersController],
  // FieldCipher lives here once (it reads or generates the key at start-up) and is shared through the export.
  providers: [CustomersService, FieldCipher],
  exports: [CustomersService, FieldCipher],
})
export class CustomersModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordHasher } from '../auth/password-hasher.js';
import { SessionsModule } from '../auth/sessions.module.js';
import { Operator } from './operator.entity.js';
import { OperatorsController } from './operators.controller.js';
import { OperatorsService } from './operators.service.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { OPERATOR_RETENTION } from './operators.retention.js';

@RetainedTables(...OPERATOR_RETENTION)
@Module({
  imports: [TypeOrmModule.forFeature([Operator]), SessionsModule],
  controllers: [OperatorsController],
  providers: [OperatorsService, PasswordHasher],
  exports: [OperatorsService, PasswordHasher],
})
export class OperatorsModule {}

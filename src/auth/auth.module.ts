import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OperatorsModule } from '../operators/operators.module.js';
import { AccessGuard } from './access.guard.js';
import { AuthController } from './auth.controller.js';
import { LoginThrottle } from './login-throttle.js';
import { OperatorSession } from './session.entity.js';
import { SessionService } from './session.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([OperatorSession]), OperatorsModule],
  controllers: [AuthController],
  providers: [SessionService, LoginThrottle, { provide: APP_GUARD, useClass: AccessGuard }],
})
export class AuthModule {}

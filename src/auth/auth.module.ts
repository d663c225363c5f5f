import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { OperatorsModule } from '../operators/operators.module.js';
import { AccessGuard } from './access.guard.js';
import { AuthController } from './auth.controller.js';
import { LoginThrottle } from './login-throttle.js';
import { SessionsModule } from './sessions.module.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { AUTH_RETENTION } from './auth.retention.js';

@RetainedTables(...AUTH_RETENTION)
@Module({
  imports: [SessionsModule, OperatorsModule],
  controllers: [AuthController],
  providers: [LoginThrottle, { provide: APP_GUARD, useClass: AccessGuard }],
})
export class AuthModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OperatorSession } from './session.entity.js';
import { SessionService } from './session.service.js';
import { SessionWatch } from './session-watch.js';

/**
 * Operators' sessions, on their own so that those who end them (operator administration) and those
 * who keep answers tied to them (the alarm stream) need not depend on the login module.
 */
@Module({
  imports: [TypeOrmModule.forFeature([OperatorSession])],
  providers: [SessionService, SessionWatch],
  exports: [SessionService, SessionWatch],
})
export class SessionsModule {}

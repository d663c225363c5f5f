import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from './access.decorator.js';

export interface AuthenticatedOperator {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** The session a request was authenticated with: what a long-lived answer (the alarm stream) keeps checking. */
export interface OperatorSessionRef {
  id: string;
  expiresAt: Date;
}

export type AuthenticatedRequest = Request & { operator?: AuthenticatedOperator; operatorSession?: OperatorSessionRef };

/** The operator the AccessGuard authenticated for this request. */
export const CurrentOperator = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().operator;
});

/** The session the AccessGuard authenticated this request with. */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().operatorSession;
});

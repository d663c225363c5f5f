import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from './access.decorator.js';

export interface AuthenticatedOperator {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export type AuthenticatedRequest = Request & { operator?: AuthenticatedOperator };

/** The operator the AccessGuard authenticated for this request. */
export const CurrentOperator = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().operator;
});

import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error.js';
import { ProcessingLogInterceptor } from '../privacy/processing-log.interceptor.js';
import { PUBLIC_KEY, ROLES_KEY, type Role } from './access.decorator.js';
import type { AuthenticatedRequest } from './authenticated-operator.js';
import { SessionService } from './session.service.js';

export const SESSION_COOKIE = 'keyholder_session';

/**
 * Deny by default: a route is callable only if it says who may call it, with @Roles or @Public.
 * Start-up refuses an app with an undeclared route (RouteDeclarations); this guard is the second lock.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger(AccessGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
    private readonly processingLog: ProcessingLogInterceptor,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<string>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets);
    if (!roles) {
      this.logger.error(`route ${ctx.getClass().name}.${ctx.getHandler().name} declares no access rule; refused`);
      throw new DomainError('forbidden', 'route_not_declared', 'this route declares no access rule and is closed');
    }

    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearer(req) ?? cookie(req);
    if (!token) throw new DomainError('unauthenticated', 'token_missing', 'a bearer token is required (log in at POST /api/auth/login)');
    const operator = await this.sessions.authenticate(token);
    if (!operator) throw new DomainError('unauthenticated', 'token_invalid', 'the token is invalid or has expired; log in again');
    req.operator = operator;

    if (operator.role !== 'admin' && !roles.includes(operator.role)) {
      // An operator trying what their role may not is staff accountability: in the processing log.
      this.processingLog.refusedBeforeHandler(ctx);
      throw new DomainError('forbidden', 'role_not_allowed', `role ${operator.role} may not do this (allowed: ${[...roles, 'admin'].join(', ')})`);
    }
    return true;
  }
}

function bearer(req: AuthenticatedRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  // A malformed header is a bad credential, not "no credential": answer 401 either way.
  return match ? match[1] : 'malformed';
}

function cookie(req: AuthenticatedRequest): string | undefined {
  const value = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  return typeof value === 'string' && value ? value : undefined;
}

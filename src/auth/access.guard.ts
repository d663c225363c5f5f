import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { ProcessingLogInterceptor } from '../privacy/processing-log.interceptor.js';
import { PUBLIC_KEY, ROLES_KEY, type Role } from './access.decorator.js';
import type { AuthenticatedRequest } from './authenticated-operator.js';
import { sessionCookie, sessionToken } from './session-cookie.js';
import { SessionService } from './session.service.js';

/**
 * Deny by default: a route is callable only if it says who may call it, with @Roles or @Public.
 * Start-up refuses an app with an undeclared route (RouteDeclarations); this guard is the second lock.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger(AccessGuard.name);
  private readonly cookieName: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
    private readonly processingLog: ProcessingLogInterceptor,
    config: AppConfig,
  ) {
    this.cookieName = sessionCookie(config).name;
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<string>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets);
    if (!roles) {
      this.logger.error(`route ${ctx.getClass().name}.${ctx.getHandler().name} declares no access rule; refused`);
      throw new DomainError('forbidden', 'route_not_declared', 'this route declares no access rule and is closed');
    }

    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = sessionToken(req, this.cookieName);
    if (!token) throw new DomainError('unauthenticated', 'token_missing', 'a bearer token is required (log in at POST /api/auth/login)');
    const authenticated = await this.sessions.authenticate(token);
    if (!authenticated) throw new DomainError('unauthenticated', 'token_invalid', 'the token is invalid or has expired; log in again');
    const { operator, session } = authenticated;
    req.operator = operator;
    req.operatorSession = session;

    if (operator.role !== 'admin' && !roles.includes(operator.role)) {
      // An operator trying what their role may not is staff accountability: in the processing log.
      this.processingLog.refusedBeforeHandler(ctx);
      throw new DomainError('forbidden', 'role_not_allowed', `role ${operator.role} may not do this (allowed: ${[...roles, 'admin'].join(', ')})`);
    }
    return true;
  }
}

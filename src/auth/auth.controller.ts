import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { OperatorsService } from '../operators/operators.service.js';
import { toOperatorView } from '../operators/operator.entity.js';
import { nameSubjects, type ProcessingRequest } from '../privacy/processing-log.interceptor.js';
import { Processing } from '../privacy/processing.decorator.js';
import { OPERATOR_ACCOUNTS } from '../operators/operators.processing.js';
import { Public, Roles } from './access.decorator.js';
import { SESSION_COOKIE } from './access.guard.js';
import { CurrentOperator, type AuthenticatedOperator } from './authenticated-operator.js';
import { LoginDto } from './auth.dto.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionService } from './session.service.js';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly operators: OperatorsService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public('operators log in here')
  @Processing({ ...OPERATOR_ACCOUNTS, operation: 'operators.login', purpose: 'Authenticate alarm-central staff before they reach personal data' })
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const email = dto.email.toLowerCase();
    const address = req.ip ?? 'unknown';
    await this.throttle.assertAllowed(email, address);
    const operator = await this.operators.findWithHash(email);
    const ok = await this.hasher.verify(operator?.passwordHash, dto.password);
    if (!operator || !ok) {
      await this.throttle.failed(email, address);
      throw new DomainError('unauthenticated', 'login_failed', 'email or password is wrong');
    }
    await this.throttle.succeeded(email, address);
    // From here the caller is this operator: the entry names them as who did it, and whose account it was.
    (req as ProcessingRequest).processingActor = { type: 'operator', id: operator.id };
    nameSubjects(req, operator.id);
    const { token, expiresIn } = await this.sessions.open(operator.id);
    // The dashboard uses the cookie (HttpOnly: page scripts cannot read it); scripts use the bearer token.
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.cookieSecure,
      maxAge: expiresIn * 1000,
      path: '/',
    });
    return { accessToken: token, expiresIn, operator: toOperatorView(operator) };
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @Roles('operator', 'supervisor', 'dpo')
  @Processing({ ...OPERATOR_ACCOUNTS, operation: 'operators.logout', purpose: 'End an operator session' })
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const header = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token = header?.[1] ?? (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (token) await this.sessions.close(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('me')
  @ApiBearerAuth()
  @Roles('operator', 'supervisor', 'dpo')
  @Processing({ ...OPERATOR_ACCOUNTS, operation: 'operators.me', purpose: 'Show the logged-in operator who they are' })
  me(@CurrentOperator() operator: AuthenticatedOperator) {
    return operator;
  }
}

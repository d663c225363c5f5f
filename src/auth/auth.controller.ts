import { Body, Controller, Get, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
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
import { CurrentOperator, type AuthenticatedOperator } from './authenticated-operator.js';
import { LoginDto } from './auth.dto.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { sessionCookie, sessionToken } from './session-cookie.js';
import { SessionService } from './session.service.js';

// Every answer here carries a session or who holds it: no cache (browser, proxy) may keep one.
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  private readonly cookie: ReturnType<typeof sessionCookie>;

  constructor(
    private readonly operators: OperatorsService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
    config: AppConfig,
  ) {
    this.cookie = sessionCookie(config);
  }

  @Post('login')
  @HttpCode(200)
  @Public('operators log in here')
  @Processing({ ...OPERATOR_ACCOUNTS, operation: 'operators.login', purpose: 'Authenticate alarm-central staff before they reach personal data' })
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // Set first, so that the refusals (401, 429) carry it too.
    res.setHeader('Cache-Control', 'no-store');
    const operator = await this.throttle.attempt(dto.email, req.ip ?? 'unknown', async () => {
      const found = await this.operators.findWithHash(dto.email);
      // The hash is checked for a disabled account too: the answer takes as long as any wrong password.
      const ok = await this.hasher.verify(found?.passwordHash, dto.password);
      return ok && found && !found.disabledAt ? found : undefined;
    });
    // A disabled account gets the same answer as a wrong password: a guess learns nothing about it.
    if (!operator) throw new DomainError('unauthenticated', 'login_failed', 'email or password is wrong');
    // From here the caller is this operator: the entry names them as who did it, and whose account it was.
    (req as ProcessingRequest).processingActor = { type: 'operator', id: operator.id };
    nameSubjects(req, operator.id);
    const { token, expiresIn } = await this.sessions.open(operator.id);
    await this.operators.recordLogin(operator.id);
    // The dashboard uses the cookie (HttpOnly: page scripts cannot read it); scripts use the bearer token.
    res.cookie(this.cookie.name, token, { ...this.cookie.options, maxAge: expiresIn * 1000 });
    return { accessToken: token, expiresIn, operator: toOperatorView(operator) };
  }

  @Post('logout')
  @HttpCode(204)
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth()
  @Roles('operator', 'supervisor', 'dpo')
  @Processing({ ...OPERATOR_ACCOUNTS, operation: 'operators.logout', purpose: 'End an operator session' })
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = sessionToken(req, this.cookie.name);
    if (token) await this.sessions.close(token);
    res.clearCookie(this.cookie.name, this.cookie.options);
  }

  @Get('me')
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth()
  @Roles('operator', 'supervisor', 'dpo')
  @Processing({ ...OPERATOR_ACCOUNTS, operation: 'operators.me', purpose: 'Show the logged-in operator who they are' })
  me(@CurrentOperator() operator: AuthenticatedOperator) {
    return operator;
  }
}

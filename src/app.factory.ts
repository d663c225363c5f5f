import type { IncomingMessage, Server } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { withoutStartUpChatter } from './logging/logging.module.js';
import { serveDashboard } from './dashboard/dashboard-static.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { answerMalformedHttp } from './common/malformed-http.js';
import { refuseAbsurdBodies } from './common/body-checks.js';
import { refuseCrossOriginCookieWrites, refuseNonJsonBodies } from './common/cross-origin-writes.js';
import { securityHeaders } from './common/security-headers.js';
import { NoNulCharacters } from './common/no-nul-characters.pipe.js';
import { AppValidationPipe } from './common/validation.js';
import type { AppConfig } from './config/app-config.js';
import type { EmbeddedDatabaseState } from './database/embedded-database-state.js';
import { Metrics } from './metrics/metrics.js';
import { OperatorsService } from './operators/operators.service.js';
import { peopleFirst, prioritisePeople } from './database/connection-priority.js';

/** Longer than a load balancer's idle timeout (60 s is the usual one): see createApp. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Operators' JSON bodies are small; anything bigger than this is a mistake or an attack. */
export const JSON_BODY_LIMIT = '100kb';

const TWILIO_WEBHOOK = /^\/webhooks\/twilio\//i;

/** Express hands body-parser its own request, which can judge its Content-Type. */
const twilioForm = (req: IncomingMessage) => TWILIO_WEBHOOK.test(req.url ?? '') && !!(req as Request).is('application/x-www-form-urlencoded');

/**
 * Builds the whole application from a validated config with a resolved database URL.
 * `main.ts` and the end-to-end tests both use this, so tests run exactly what production runs.
 */
export async function createApp(
  config: AppConfig,
  announce: (line: string) => void = () => undefined,
  /** embeddedDatabase: the state of the embedded PostgreSQL `main.ts` runs and supervises, if it runs one. */
  runtime: { embeddedDatabase?: EmbeddedDatabaseState } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, runtime), {
    bufferLogs: true,
    // Panels sign their raw body; Nest keeps it on req.rawBody for the HMAC check.
    rawBody: true,
    bodyParser: false,
  });
  app.useLogger(withoutStartUpChatter(app.get(Logger)));
  // First, so every answer carries them, refusals included.
  app.use(securityHeaders(config.publicBaseUrl));
  // Before any body is parsed or used: a forged write from a sibling origin ends here.
  app.use(refuseCrossOriginCookieWrites(config.publicBaseUrl));
  app.use(refuseNonJsonBodies);
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  // Twilio posts form-encoded webhooks; no other route reads a form.
  app.useBodyParser('urlencoded', { limit: JSON_BODY_LIMIT, extended: false, type: twilioForm });
  app.use(refuseAbsurdBodies);
  app.use(cookieParser());
  // An operator's request, or a reply texted in, gets the next free database connection before the
  // panels' signals queued for one (a storm fills the pool): see connection-priority.ts.
  app.get(Metrics).watchConnections(prioritisePeople(app.get(DataSource)));
  app.use(peopleFirst);
  // Who the client is (req.ip, which the login limits count by): the socket's address unless TRUST_PROXY names the proxies in front.
  if (config.trustProxy !== false) app.set('trust proxy', config.trustProxy);
  // The operators' dashboard at `/` (static files, strict CSP); anything else falls through to the API.
  serveDashboard(app);
  app.useGlobalPipes(new NoNulCharacters(), new AppValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  const server = app.getHttpServer() as Server;
  answerMalformedHttp(server);
  // Node closes an idle keep-alive connection after 5 s by default. A load balancer in front keeps
  // its connections to us open for 60 s (AWS ALB, and a common nginx setting): when Node closes one
  // just as the balancer sends a panel's signal on it, that signal fails with a reset. So the
  // balancer must be the one to close first; a panel's retry is not something to count on.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Keyholder')
      .setDescription('Alarm central back end: customers, contacts, panels, alarms, SMS, privacy. See docs/api-contract.md for the rules of the contract.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  await app.init();
  await app.get(OperatorsService).ensureAdmin(config.admin, announce);
  return app;
}

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, Module, type LoggerService } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';
import { requestKind } from '../common/request-kind.js';
import { safeError } from './safe-error.js';

/**
 * Everything that could identify a person or open a door is removed before a log line is written:
 * credentials, cookies, signatures, and personal fields wherever they appear in a logged object.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-keyholder-signature"]',
  'req.headers["x-twilio-signature"]',
  'res.headers["set-cookie"]',
  ...['password', 'secret', 'token', 'accessToken', 'phone', 'to', 'from', 'nationalId', 'body', 'email', 'authToken', 'webhookAuthToken'].flatMap((k) => [
    k,
    `*.${k}`,
    `*.*.${k}`,
  ]),
];

/**
 * Machines post all day: every panel signal and every delivery report would be an info line, and
 * their record is already in the database (panel_event, sms_message, the processing log). So a
 * machine's request that succeeded logs at debug; refused ones (4xx, warn) and failures (error)
 * are logged as for any route, since those are what someone has to look at.
 */
export function requestLogLevel(req: { method?: string; url?: string }, res: { statusCode: number }, err?: unknown): 'error' | 'warn' | 'info' | 'debug' {
  if (err || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  return requestKind(req.method, req.url) === 'machine' ? 'debug' : 'info';
}

@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // pino-pretty runs in pino's transport thread, so formatting never slows a request.
            transport:
              config.logFormat === 'pretty'
                ? {
                    target: 'pino-pretty',
                    options: {
                      singleLine: true,
                      translateTime: 'SYS:HH:MM:ss',
                      ignore: 'pid,hostname,context,req.id',
                      messageFormat: '{if context}{context}: {end}{msg}',
                    },
                  }
                : undefined,
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            // Honour a caller's request id (a proxy's), else make one; it is echoed back as X-Request-Id.
            genReqId: (req: IncomingMessage, res) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
              res.setHeader('X-Request-Id', id);
              return id;
            },
            serializers: {
              // The path only: query strings carry search terms and phone numbers.
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              // Whatever failed: never a query's parameters, PostgreSQL's detail, or a provider's payload.
              err: safeError,
            },
            customLogLevel: (req, res, err) => requestLogLevel(req, res, err),
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
          },
        }),
      ],
    };
  }
}

/** Nest's own start-up lines: one per module and one per route, over a hundred on every start. */
const START_UP_CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * The app's logger with Nest's start-up listing moved to debug, so a person starting the app sees
 * the lines that matter (the admin's first password, the address to open, warnings) instead of a
 * page of route mappings. `LOG_LEVEL=debug` shows them again.
 */
export function withoutStartUpChatter(logger: LoggerService): LoggerService {
  const isChatter = (params: unknown[]) => START_UP_CHATTER.has(params[params.length - 1] as string);
  return {
    log: (message: unknown, ...params: unknown[]) => (isChatter(params) ? logger.debug?.(message, ...params) : logger.log(message, ...params)),
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug?.(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => logger.fatal?.(message, ...params),
  };
}

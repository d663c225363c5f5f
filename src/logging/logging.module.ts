import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';

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
  ...['password', 'secret', 'token', 'accessToken', 'phone', 'to', 'from', 'nationalId', 'body', 'email', 'authToken'].flatMap((k) => [
    k,
    `*.${k}`,
    `*.*.${k}`,
  ]),
];

@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
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
            },
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
          },
        }),
      ],
    };
  }
}

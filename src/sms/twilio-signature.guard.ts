import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { DomainError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { ProcessingLogInterceptor, type ProcessingRequest } from '../privacy/processing-log.interceptor.js';

/** The processing log's actor for a request that proved it comes from Twilio. */
export const TWILIO_ACTOR = { type: 'system', id: 'twilio' } as const;

/**
 * Checks X-Twilio-Signature (HMAC-SHA1 with the auth token over the URL and the sorted POST
 * parameters) with the SDK's own `validateRequest`. The URL is PUBLIC_BASE_URL + the path and query
 * Twilio called, never the Host header, which whoever sends the request controls (docs/sms.md#webhook-signatures).
 * A guard, so a refusal (403, docs/api-contract.md#twilio-webhooks) happens before any handler, pipe or
 * interceptor runs: an unsigned request changes nothing and is in no processing-log entry.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly processingLog: ProcessingLogInterceptor,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<ProcessingRequest>();
    try {
      this.verify(req);
    } catch (e) {
      this.processingLog.refusedBeforeHandler(ctx);
      throw e;
    }
    req.processingActor = { ...TWILIO_ACTOR };
    return true;
  }

  private verify(req: ProcessingRequest): void {
    // TWILIO_AUTH_TOKEN whenever it is set, not only when Twilio is the provider: with
    // SMS_PROVIDER=outbox and a token, Twilio's webhooks are still signed with it and must be let in.
    const token = this.config.sms.webhookAuthToken;
    if (!token) {
      // Without an auth token (only possible with the outbox) no request can prove it comes from
      // Twilio; taking unsigned ones would let anyone opt numbers out or fake delivery reports.
      throw new DomainError(
        'forbidden',
        'twilio_not_configured',
        'Twilio webhooks are closed: SMS_PROVIDER is outbox, so there is no auth token to check X-Twilio-Signature with',
      );
    }
    const signature = req.header('x-twilio-signature');
    if (!signature) throw new DomainError('forbidden', 'twilio_signature_missing', 'X-Twilio-Signature is missing');
    const params = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? (req.body as Record<string, unknown>) : {};
    if (!twilio.validateRequest(token, signature, this.config.publicBaseUrl + req.originalUrl, params)) {
      throw new DomainError('forbidden', 'twilio_signature_invalid', 'X-Twilio-Signature does not match this request');
    }
  }
}

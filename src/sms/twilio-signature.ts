import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import twilio from 'twilio';
import { DomainError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';

/**
 * Checks X-Twilio-Signature (HMAC-SHA1 with the auth token over the URL and the sorted POST
 * parameters) with the SDK's own `validateRequest`. The URL is PUBLIC_BASE_URL + the path and query
 * Twilio called, never the Host header, which whoever sends the request controls (DOMAIN.md).
 * Refusals are 403 (API.md, Twilio webhooks).
 */
@Injectable()
export class TwilioSignature {
  constructor(private readonly config: AppConfig) {}

  verify(req: Request): void {
    // TWILIO_AUTH_TOKEN whenever it is set, not only when Twilio is the provider: with
    // SMS_PROVIDER=outbox and a token, Twilio's webhooks are still signed with it and must be let in.
    const token = this.config.sms.webhookAuthToken;
    if (!token) {
      // Without an auth token (only possible with the outbox) no request can prove it comes from
      // Twilio; taking unsigned ones would let anyone opt numbers out or fake delivery reports.
      throw new DomainError('forbidden', 'twilio_not_configured', 'Twilio webhooks are closed: SMS_PROVIDER is outbox, so there is no auth token to check X-Twilio-Signature with');
    }
    const signature = req.header('x-twilio-signature');
    if (!signature) throw new DomainError('forbidden', 'twilio_signature_missing', 'X-Twilio-Signature is missing');
    const params = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? (req.body as Record<string, unknown>) : {};
    if (!twilio.validateRequest(token, signature, this.config.publicBaseUrl + req.originalUrl, params)) {
      throw new DomainError('forbidden', 'twilio_signature_invalid', 'X-Twilio-Signature does not match this request');
    }
  }
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { Clock } from '../common/clock.js';
import type { ProcessingRequest } from '../privacy/processing-log.interceptor.js';
import { PanelSecretCache } from './panel-secret-cache.js';

/** docs/api-contract.md#panel-events: a timestamp more than this far from our clock is refused (it stops replays). */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;
const TIMESTAMP = /^\d{1,12}$/;

type PanelRequest = ProcessingRequest & { rawBody?: Buffer };

/** `sha256=` + hex HMAC-SHA256 over `<timestamp>.<raw body>` (docs/api-contract.md#panel-events). */
export function panelSignature(secret: Buffer | string, timestamp: string, rawBody: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/**
 * Authenticates a panel's request by its signature (docs/api-contract.md#panel-events; modelled on
 * Stripe's and GitHub's webhooks): HMAC-SHA256 with the panel's own secret over the timestamp and
 * the exact bytes received, compared in constant time, within 300 s of our clock. Every refusal is
 * a 401. A wrong signature and an unknown panel get the same answer, after the same work (an HMAC
 * with a throw-away key), so the endpoint does not tell which panel ids exist.
 */
@Injectable()
export class PanelSignatureGuard implements CanActivate {
  /** Stands in for the secret of a panel that does not exist, so both cases cost the same. */
  private readonly decoy = randomBytes(32);

  constructor(
    private readonly secrets: PanelSecretCache,
    private readonly clock: Clock,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<PanelRequest>();
    const panelId = String(req.params?.panelId ?? '');
    const timestamp = req.header('x-keyholder-timestamp');
    const signature = req.header('x-keyholder-signature');
    if (!timestamp || !signature) {
      throw refuse('panel_signature_missing', 'X-Keyholder-Timestamp and X-Keyholder-Signature are required');
    }
    if (!TIMESTAMP.test(timestamp)) throw refuse('panel_timestamp_invalid', 'X-Keyholder-Timestamp must be Unix time in whole seconds');
    // Both in whole seconds, as the header is: exactly 300 s away, either way, is still within.
    const skew = Math.abs(Math.floor(this.clock.now().getTime() / 1000) - Number(timestamp));
    if (skew > MAX_CLOCK_SKEW_SECONDS) {
      throw refuse('panel_timestamp_out_of_range', `X-Keyholder-Timestamp is more than ${MAX_CLOCK_SKEW_SECONDS} s away from the server's clock`);
    }
    const given = SIGNATURE.exec(signature);
    if (!given) throw refuse('panel_signature_malformed', 'X-Keyholder-Signature must be "sha256=" followed by 64 hex characters');
    const claimed = Buffer.from(given[1], 'hex');
    // Only a JSON body is read (and kept raw for the HMAC); any other type would fail the signature
    // check below for a reason the panel's installer could not see. Secret-free, so said first.
    if (!req.is('application/json')) {
      throw new DomainError(
        'invalid',
        'panel_content_type',
        `Content-Type must be application/json (got ${req.header('content-type') ? `"${req.header('content-type')!.slice(0, 100)}"` : 'none'})`,
      );
    }
    const body = req.rawBody ?? Buffer.alloc(0);

    const found = await this.secrets.get(panelId);
    let ok = matches(panelSignature(found?.secret ?? this.decoy, timestamp, body), claimed) && !!found;
    if (!ok && found?.cached) {
      // The secret may have been rotated since it was cached: one fresh look.
      const fresh = await this.secrets.fresh(panelId);
      ok = !!fresh && matches(panelSignature(fresh, timestamp, body), claimed);
    }
    if (!ok) throw refuse('panel_signature_invalid', 'X-Keyholder-Signature does not match: wrong panel, wrong secret, or a body other than the one signed');
    req.processingActor = { type: 'panel', id: panelId.toLowerCase() };
    return true;
  }
}

function matches(expected: Buffer, claimed: Buffer): boolean {
  return expected.length === claimed.length && timingSafeEqual(expected, claimed);
}

const refuse = (code: string, message: string) => new DomainError('unauthenticated', code, message);

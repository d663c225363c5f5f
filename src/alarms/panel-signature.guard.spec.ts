import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { Clock } from '../common/clock.js';
import type { PanelSecretCache } from './panel-secret-cache.js';
import { panelSignature, PanelSignatureGuard } from './panel-signature.guard.js';

const PANEL = '3188fd3a-9717-4df2-88e0-5baca2866b91';
const SECRET = Buffer.from('panel-secret');
const NOW = Date.parse('2026-11-22T10:15:00Z');

class FixedClock extends Clock {
  constructor(private readonly at: number) {
    super();
  }
  now(): Date {
    return new Date(this.at);
  }
}

/** The secrets as the database would give them: one panel, whose secret may have been rotated since it was cached. */
function secrets(current: Buffer, cached: Buffer = current): PanelSecretCache {
  return {
    get: async (id: string) => (id === PANEL ? { secret: cached, cached: true } : undefined),
    fresh: async (id: string) => (id === PANEL ? current : undefined),
  } as unknown as PanelSecretCache;
}

function request(body: string, headers: Record<string, string>, panelId = PANEL) {
  const req: Record<string, unknown> = {
    params: { panelId },
    rawBody: Buffer.from(body),
    header: (name: string) => headers[name.toLowerCase()],
    // Express's req.is(type), for the one type asked: the body was sent as JSON unless a header says otherwise.
    is: (type: string) => ((headers['content-type'] ?? 'application/json').split(';')[0].trim() === type ? type : false),
  };
  const ctx = { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  return { req, ctx };
}

const signed = (secret: Buffer, timestamp: number, body: string) => ({
  'x-keyholder-timestamp': String(timestamp),
  'x-keyholder-signature': 'sha256=' + panelSignature(secret, String(timestamp), Buffer.from(body)).toString('hex'),
});

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).kind).toBe('unauthenticated');
    return (e as DomainError).code;
  }
  throw new Error('expected a refusal');
}

describe('PanelSignatureGuard', () => {
  const body = '{"eventId":"p-1","code":"BA","occurredAt":"2026-11-22T11:15:00+01:00"}';
  const guard = (clockMs = NOW, s = secrets(SECRET)) => new PanelSignatureGuard(s, new FixedClock(clockMs));
  const ts = NOW / 1000;

  it('accepts a signature over the timestamp and the exact body, and names the panel as the actor', async () => {
    const { req, ctx } = request(body, signed(SECRET, ts, body));
    expect(await guard().canActivate(ctx)).toBe(true);
    expect(req.processingActor).toEqual({ type: 'panel', id: PANEL });
  });

  it('takes timestamps up to 300 s either side of the clock, and no further', async () => {
    for (const offset of [-300, 300]) {
      expect(await guard(NOW + offset * 1000).canActivate(request(body, signed(SECRET, ts, body)).ctx)).toBe(true);
    }
    for (const offset of [-301, 301]) {
      expect(await refusal(guard(NOW + offset * 1000).canActivate(request(body, signed(SECRET, ts, body)).ctx))).toBe('panel_timestamp_out_of_range');
    }
  });

  it('refuses a signature made for another timestamp or another body', async () => {
    const h = signed(SECRET, ts, body);
    expect(await refusal(guard().canActivate(request(body, { ...h, 'x-keyholder-timestamp': String(ts + 1) }).ctx))).toBe('panel_signature_invalid');
    expect(await refusal(guard().canActivate(request(body.replace('BA', 'OP'), h).ctx))).toBe('panel_signature_invalid');
  });

  it('answers an unknown panel exactly as a wrong signature', async () => {
    expect(await refusal(guard().canActivate(request(body, signed(SECRET, ts, body), '00000000-0000-4000-8000-000000000000').ctx))).toBe(
      'panel_signature_invalid',
    );
  });

  it('takes a rotated secret at once: a mismatch with the cached secret is checked against a fresh read', async () => {
    const rotated = Buffer.from('new-secret');
    const g = guard(NOW, secrets(rotated, SECRET));
    expect(await g.canActivate(request(body, signed(rotated, ts, body)).ctx)).toBe(true);
  });

  it('refuses malformed headers with a reason, before any secret is read', async () => {
    const g = guard(NOW, secrets(SECRET));
    expect(await refusal(g.canActivate(request(body, {}).ctx))).toBe('panel_signature_missing');
    expect(await refusal(g.canActivate(request(body, { ...signed(SECRET, ts, body), 'x-keyholder-timestamp': '12.5' }).ctx))).toBe('panel_timestamp_invalid');
    expect(await refusal(g.canActivate(request(body, { ...signed(SECRET, ts, body), 'x-keyholder-signature': 'sha1=abc' }).ctx))).toBe(
      'panel_signature_malformed',
    );
  });
});

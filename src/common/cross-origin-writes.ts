import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from './domain-error.js';

/** A browser sends these without side effects in mind; everything else is a write. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The routes whose bodies are not operators' JSON: Twilio posts its webhooks form-encoded, and a
 * panel's event answers a wrong Content-Type itself, after its signature (an unsigned caller learns nothing).
 */
const OWN_BODY_TYPE = /^\/(webhooks\/twilio\/|api\/panels\/[^/]+\/events\/?$)/i;

/**
 * The session cookie is SameSite=Strict, but "same site" includes every port and sibling subdomain
 * of the host: a page there can post a form (or a no-cors fetch) to this API and the browser sends
 * the operator's cookie with it. A browser always sends `Origin` on such a write, and a page cannot
 * forge it, so a cookie-carrying write must come from the dashboard's own origin: PUBLIC_BASE_URL's,
 * or the origin the request itself was sent to (the dashboard opened as 127.0.0.1, or behind a proxy
 * that keeps Host). Any cookie at all counts, so the check holds whatever the session cookie is
 * called. A request with an Authorization header is judged by its token, never the cookie (the access
 * guard), and a page cannot add one to a form: scripts, panels and Twilio are not affected. Runs
 * before any body is read.
 */
export function refuseCrossOriginCookieWrites(publicBaseUrl: string): RequestHandler {
  const expected = new URL(publicBaseUrl).origin;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method) || req.headers.authorization || !req.headers.cookie) return next();
    const origin = req.headers.origin;
    if (origin && (origin === expected || origin === `${req.protocol}://${req.headers.host}`)) return next();
    next(
      new DomainError(
        'forbidden',
        'origin_not_allowed',
        `cookie-authenticated writes must come from ${expected} (the origin of PUBLIC_BASE_URL) or the origin they are sent to; ` +
          (origin ? `Origin was "${origin.slice(0, 200)}"` : 'the request carried no Origin header'),
      ),
    );
  };
}

/**
 * A cross-origin page can send a form or a `text/plain` body without asking first, but not
 * `application/json` (that needs a CORS preflight, which this API never grants). So a write's body
 * must be JSON, which is also all the operators' routes read. Refused before any parser sees it.
 */
export function refuseNonJsonBodies(req: Request, _res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method) || !carriesBody(req) || OWN_BODY_TYPE.test(req.path) || req.is('application/json')) return next();
  const type = req.headers['content-type'];
  next(
    new DomainError(
      'unsupported_media_type',
      'body_not_json',
      `request bodies must be JSON: send Content-Type: application/json (got ${type ? `"${type.slice(0, 100)}"` : 'no Content-Type'})`,
    ),
  );
}

/** Content-Length 0 (a bodiless POST or DELETE from fetch) is no body. */
function carriesBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

type Directives = Record<string, string[]>;

/** Nothing may load, frame the answer, post it anywhere or rebase its links unless a page says so below. */
const NOTHING: Directives = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * Swagger UI as @nestjs/swagger serves it: its own scripts and stylesheet from /api/docs, an inline
 * <style> in the page and style attributes set by its scripts, data: images in its CSS, and "Try it
 * out" calling this API. Nothing from another origin.
 */
const SWAGGER_UI: Directives = {
  ...NOTHING,
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
};

/** The privacy policy is one HTML page with its own inline <style> and nothing else. */
const PRIVACY_POLICY: Directives = { ...NOTHING, styleSrc: ["'unsafe-inline'"] };

const DOCS = /^\/api\/docs(\/|$)/;
const PRIVACY = /^\/privacy(\/|$)/;

/**
 * helmet's headers on every answer: no MIME sniffing, never framed, no Referer, and HSTS when the
 * public address is https (over plain http it would be ignored, or pin a later https deploy too early).
 * A JSON answer gets a CSP that allows nothing, so an answer opened as a page cannot run what a
 * customer's name holds. `/api/**` answers carry personal data, which must not sit in a browser's or
 * a proxy's cache: `no-store`. The dashboard's files replace the CSP with their own (dashboard-static.ts),
 * which is why this runs before them.
 */
export function securityHeaders(publicBaseUrl: string): RequestHandler {
  const https = publicBaseUrl.startsWith('https://');
  const withPolicy = (directives: Directives) =>
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives },
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: https ? { maxAge: 365 * 24 * 3600, includeSubDomains: true } : false,
    });
  const api = withPolicy(NOTHING);
  const docs = withPolicy(SWAGGER_UI);
  const privacy = withPolicy(PRIVACY_POLICY);
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/api/')) res.setHeader('Cache-Control', 'no-store');
    const headers = DOCS.test(req.path) ? docs : PRIVACY.test(req.path) ? privacy : api;
    headers(req, res, next);
  };
}

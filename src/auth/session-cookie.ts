import type { CookieOptions, Request } from 'express';
import type { AppConfig } from '../config/app-config.js';

/**
 * The dashboard's session cookie. Over https it carries the `__Host-` prefix: the browser then
 * accepts it only Secure, for Path=/ and without a Domain, so a neighbouring subdomain cannot set or
 * overwrite it. Browsers refuse a `__Host-` cookie that is not Secure, so plain http keeps the bare name.
 */
export function sessionCookie(config: Pick<AppConfig, 'cookieSecure'>): { name: string; options: CookieOptions } {
  return {
    name: config.cookieSecure ? '__Host-keyholder_session' : 'keyholder_session',
    // HttpOnly: page scripts cannot read it; SameSite=Strict: no other site's page sends it.
    options: { httpOnly: true, sameSite: 'strict', secure: config.cookieSecure, path: '/' },
  };
}

/**
 * The session token a request carries: the bearer token (scripts), else the cookie (the dashboard).
 * A malformed Authorization header is a bad credential, not "no credential": it is answered 401 too.
 */
export function sessionToken(req: Request, cookieName: string): string | undefined {
  const header = req.headers.authorization;
  if (header) return /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? 'malformed';
  const value = (req.cookies as Record<string, unknown> | undefined)?.[cookieName];
  return typeof value === 'string' && value ? value : undefined;
}

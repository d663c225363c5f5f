import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';

/**
 * The operators' dashboard: plain ES modules and CSS in the repository's `dashboard/` folder,
 * served by this service at `/` (no second server, no CDN, no build step). Both `src/dashboard/`
 * (tests) and `dist/dashboard/` (npm start) sit two levels below the repository root.
 */
export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboard');

/**
 * Self only: the page loads nothing from elsewhere, runs no inline script or style, and cannot be
 * framed, so an injected string in customer data cannot become script or exfiltrate the session.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Mounted before Nest's routes: a path that is not a dashboard file falls through to them, so an
 * unknown /api route still gets the API's JSON 404. The pages are not Nest controllers, so they
 * carry no @Roles: they hold no data; every call they make goes through the API's access rules.
 */
export function serveDashboard(app: NestExpressApplication): void {
  if (!existsSync(path.join(DASHBOARD_DIR, 'index.html'))) return;
  app.useStaticAssets(DASHBOARD_DIR, {
    index: 'index.html',
    redirect: false,
    dotfiles: 'ignore',
    // Operators must get a fixed dashboard at once after a deploy: revalidate every time (ETag).
    maxAge: 0,
    // In place of the API's allow-nothing CSP; the other security headers every answer gets (security-headers.ts).
    setHeaders(res) {
      res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
    },
  });
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { POLICY_VERSION } from '../src/privacy-policy/policy-version.js';
import { transfersOf } from '../src/privacy/recipients.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** The text of an HTML fragment with tags removed and the few entities we write decoded. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('the public privacy policy (GET /privacy, GET /privacy/:version)', () => {
  let t: TestApp;
  let dpo: string;

  beforeAll(async () => {
    t = await createTestApp({
      COMPANY_NAME: 'Larm & Co <AB>',
      CONTROLLER_NAME: 'Larm & Co AB, org.nr 556000-0000',
      CONTROLLER_CONTACT: 'privacy@larm.example',
      CONTROLLER_ORG_NUMBER: '556000-0000',
      CONTROLLER_ADDRESS: 'Box 1, 111 11 Stockholm',
      DPO_CONTACT: 'dpo@larm.example <script>alert(1)</script>',
    });
    dpo = await t.tokenFor('dpo');
  });
  afterAll(async () => t?.close());

  it('is public HTML, in English by default, with controller, DPO, Twilio transfer, rights and complaint authorities', async () => {
    const res = await t.request('GET', '/privacy');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers.get('content-language')).toBe('en');
    expect(res.text).toMatch(/^<!doctype html>\n<html lang="en">/);
    const body = text(res.text);
    expect(body).toContain('Privacy policy');
    expect(body).toContain(`Version ${POLICY_VERSION}.`);
    expect(body).toContain('The controller is Larm & Co AB, org.nr 556000-0000 (contact: privacy@larm.example).');
    expect(body).toContain('Organisation number: 556000-0000. Postal address: Box 1, 111 11 Stockholm.');
    expect(body).toContain('dpo@larm.example <script>alert(1)</script>');
    expect(body).toContain('Standard Contractual Clauses');
    expect(body).toContain('Twilio');
    expect(body).toMatch(/Integritetsskyddsmyndigheten \(IMY/);
    expect(body).toContain('Datatilsynet');
    expect(body).toContain('the customer who named you as their alarm contact gave us your name and mobile number');
    expect(body).toMatch(/reply STOP/);
  });

  it('escapes every configured value', async () => {
    const res = await t.request('GET', '/privacy?lang=en');
    expect(res.text).not.toContain('<script>');
    expect(res.text).toContain('dpo@larm.example &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).toContain('Larm &amp; Co &lt;AB&gt;');
  });

  it('renders its table of processing from the same declarations as the record of processing', async () => {
    const ropa = await t.request('GET', '/api/privacy/ropa', { token: dpo });
    expect(ropa.status).toBe(200);
    const res = await t.request('GET', '/privacy?lang=en');
    const rows = [...res.text.matchAll(/<tr data-operation="([^"]+)">(.*?)<\/tr>/g)];
    expect(rows.map((r) => r[1])).toEqual(ropa.body.items.map((i: { operation: string }) => i.operation));
    const byOperation = new Map(rows.map((r) => [r[1], text(r[2])]));
    for (const item of ropa.body.items as Array<{
      operation: string;
      purpose: string;
      retention: string;
      thirdCountryTransfers: string;
      legalBasisArticle: string;
    }>) {
      const row = byOperation.get(item.operation)!;
      expect(row).toContain(item.purpose);
      expect(row).toContain(item.retention);
      expect(row).toContain(item.legalBasisArticle);
      expect(row).toContain(item.thirdCountryTransfers);
    }
    // The SMS sending, the notice and the refusal log are in both, with Twilio's transfer.
    const notice = ropa.body.items.find((i: { operation: string }) => i.operation === 'sms.send.contact_notice');
    expect(notice).toMatchObject({ legalBasis: 'legal_obligation', thirdCountryTransfers: transfersOf(['twilio']) });
    expect(transfersOf(['twilio'])).toMatch(/^United States \(Twilio\).*Standard Contractual Clauses/);
    expect(byOperation.get('sms.send.contact_notice')).toContain(transfersOf(['twilio']));
    expect(byOperation.has('sms.refused')).toBe(true);
  });

  it('is available in Swedish and Norwegian, by ?lang or Accept-Language', async () => {
    const sv = await t.request('GET', '/privacy?lang=sv');
    expect(sv.status).toBe(200);
    expect(sv.text).toContain('<html lang="sv">');
    expect(text(sv.text)).toContain('Integritetspolicy');
    expect(text(sv.text)).toContain('Personuppgiftsansvarig är Larm & Co AB');
    expect(text(sv.text)).toContain('standardavtalsklausuler');
    expect(sv.text).toContain('<th>Rättslig grund</th>');
    expect(sv.text).toContain('data-operation="sms.send.contact_notice"');

    const nb = await t.request('GET', '/privacy', { headers: { 'accept-language': 'de-DE, nb-NO;q=0.9, en;q=0.5' } });
    expect(nb.status).toBe(200);
    expect(nb.headers.get('content-language')).toBe('nb');
    expect(text(nb.text)).toContain('Personvernerklæring');
    expect(text(nb.text)).toContain('Behandlingsansvarlig er Larm & Co AB');
    expect(text(nb.text)).toContain('Datatilsynet');
    expect(nb.text).toContain('<th>Rettslig grunnlag</th>');

    const svByHeader = await t.request('GET', '/privacy', { headers: { 'accept-language': 'sv-SE,sv;q=0.9' } });
    expect(svByHeader.headers.get('content-language')).toBe('sv');
    const noMatch = await t.request('GET', '/privacy', { headers: { 'accept-language': 'fr-FR, de;q=0.8' } });
    expect(noMatch.headers.get('content-language')).toBe('en');
  });

  it('serves a version by its id; 404 for an unknown version, 400 for an unknown language', async () => {
    const current = await t.request('GET', `/privacy/${POLICY_VERSION}?lang=nb`);
    expect(current.status).toBe(200);
    expect(text(current.text)).toContain(`Versjon ${POLICY_VERSION}.`);

    const unknown = await t.request('GET', '/privacy/1999-01-01');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'privacy_policy_version_not_found', message: 'privacy policy version 1999-01-01 does not exist' });
    const odd = await t.request('GET', '/privacy/__proto__');
    expect(odd.status).toBe(404);
    // An oversized version is named, not said back in full.
    const huge = await t.request('GET', `/privacy/${'9'.repeat(10_000)}`);
    expect(huge.status).toBe(404);
    expect(huge.body.message).toBe(`privacy policy version ${'9'.repeat(200 - 'privacy policy version '.length)}…`);

    const badLang = await t.request('GET', '/privacy?lang=de');
    expect(badLang.status).toBe(400);
    expect(badLang.text).toContain('lang');
  });
});

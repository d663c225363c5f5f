import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RECIPIENTS, type RecipientKey } from '../src/privacy/recipients.js';
import type { SmsLanguage } from '../src/sms/texts.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * The record of processing (GET /api/privacy/ropa) and the three policy pages are generated and
 * compared here, so they cannot disagree: every operation, purpose, recipient, transfer, special
 * category and retention period of the record is on each page in that page's language, and the
 * pages show nothing the record does not.
 */

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

interface RopaItem {
  operation: string;
  purpose: string;
  retention: string;
  recipients: string[];
  thirdCountryTransfers: string;
  specialCategories: string[];
}

/** The page's table: operation -> its cells' text. */
function tableOf(html: string): Map<string, string[]> {
  const rows = [...html.matchAll(/<tr data-operation="([^"]+)">(.*?)<\/tr>/g)];
  return new Map(rows.map((r) => [r[1], [...r[2].matchAll(/<td>(.*?)<\/td>/g)].map((c) => text(c[1]))]));
}

/** Periods named in a text, as "number unit" with the unit in English: "90 day", "12 month", "10 year". */
const UNITS: Record<SmsLanguage, Array<[RegExp, string]>> = {
  en: [
    [/^days?$/, 'day'],
    [/^months?$/, 'month'],
    [/^years?$/, 'year'],
    [/^hours?$/, 'hour'],
    [/^minutes?$/, 'minute'],
    [/^-minute$/, 'minute'],
  ],
  sv: [
    [/^dagar$/, 'day'],
    [/^månader$/, 'month'],
    [/^år$/, 'year'],
    [/^tim(me|mar)$/, 'hour'],
    [/^minuter$/, 'minute'],
  ],
  nb: [
    [/^dager$/, 'day'],
    [/^måneder$/, 'month'],
    [/^år$/, 'year'],
    [/^timer?$/, 'hour'],
    [/^minutter$/, 'minute'],
  ],
};
function periods(s: string, language: SmsLanguage): string[] {
  const found: string[] = [];
  for (const m of s.matchAll(/(\d+)(?: |(?=-))(-?[\p{L}]+)/gu)) {
    const unit = UNITS[language].find(([re]) => re.test(m[2]));
    if (unit) found.push(`${m[1]} ${unit[1]}`);
  }
  return found.sort();
}

/** Words and phrases that are English and never Swedish or Norwegian. */
const ENGLISH = [
  /\bthe\b/i,
  /\band\b/i,
  /\bof\b/i,
  /\bwith\b/i,
  /\bwhen\b/i,
  /\bdays\b/i,
  /\bmonths\b/i,
  /\byears\b/i,
  /\bkept\b/i,
  /\berased\b/i,
  /\bcustomers?\b/i,
  /\bcontacts\b/i,
  /\bprocessor\b/i,
  /\bpurpose\b/i,
  /\bnone\b/i,
  /\bretention\b/i,
  /\bhealth\b/i,
  /\bstaff\b/i,
  /\bnot stored\b/i,
  /\bUnited States\b/,
  /\bContractual\b/,
];

describe('the record of processing and the privacy policy pages tell the same story', () => {
  let t: TestApp;
  let ropa: { items: RopaItem[]; processors: Array<{ name: string; operations: string[]; processorRetention: string; agreement: string }> };
  const pages = {} as Record<SmsLanguage, string>;

  beforeAll(async () => {
    t = await createTestApp({
      COMPANY_NAME: 'Larmbolaget',
      CONTROLLER_NAME: 'Larmbolaget AB, 556000-0000',
      CONTROLLER_CONTACT: 'privacy@larm.example',
      DPO_CONTACT: 'dpo@larm.example',
      HOSTING_PROVIDER: 'Nordic Hosting AB, Sweden',
    });
    const dpo = await t.tokenFor('dpo');
    ropa = (await t.request('GET', '/api/privacy/ropa', { token: dpo })).body;
    for (const l of ['en', 'sv', 'nb'] as const) pages[l] = (await t.request('GET', `/privacy?lang=${l}`)).text;
  });
  afterAll(async () => t?.close());

  const byEnglishName = (name: string) => (Object.keys(RECIPIENTS) as RecipientKey[]).find((k) => RECIPIENTS[k].name.en === name);

  it.each(['en', 'sv', 'nb'] as const)('%s: the same operations, each with its purpose, recipients, transfer, special categories and periods', (l) => {
    const table = tableOf(pages[l]);
    // Vice versa: exactly the record's operations, in its order.
    expect([...table.keys()]).toEqual(ropa.items.map((i) => i.operation));
    expect(ropa.items.length).toBeGreaterThan(40);
    for (const item of ropa.items) {
      const [purpose, , , recipients, retention, transfers, special] = table.get(item.operation)!;
      if (l === 'en') expect(purpose).toBe(item.purpose);
      else expect(purpose).not.toBe(item.purpose);
      expect(purpose.length).toBeGreaterThan(5);

      const keys = item.recipients.map(byEnglishName);
      expect(keys).not.toContain(undefined);
      expect(recipients).toBe(keys.map((k) => RECIPIENTS[k!].name[l]).join('; '));

      expect({ operation: item.operation, periods: periods(retention, l) }).toEqual({ operation: item.operation, periods: periods(item.retention, 'en') });
      if (l !== 'en') expect(retention).not.toBe(item.retention);

      if (item.thirdCountryTransfers === 'none') expect(transfers).toBe(l === 'en' ? 'none' : 'ingen');
      else {
        expect(transfers).toContain(l === 'en' ? 'United States' : 'USA');
        for (const article of ['45', '46']) expect(transfers).toContain(article);
      }

      const art9 = (s: string) => [...s.matchAll(/9(?:\(2\)\(|\.2 | nr\. 2 )([a-j])\b/g)].map((m) => m[1]);
      expect(art9(special)).toEqual(art9(item.specialCategories.join(' ')));
      expect(special === '').toBe(item.specialCategories.length === 0);
    }
  });

  it.each(['en', 'sv', 'nb'] as const)('%s: every processor of the record is listed with its own retention and the agreement, and nothing else', (l) => {
    const listed = [...pages[l].matchAll(/<li data-processor="([^"]+)">(.*?)<\/li>/g)];
    const keys = listed.map((m) => m[1] as RecipientKey);
    expect(keys).toEqual(['twilio', 'hosting']);
    expect(ropa.processors.map((p) => p.name)).toEqual([RECIPIENTS.twilio.name.en, `${RECIPIENTS.hosting.name.en}: Nordic Hosting AB, Sweden`]);
    for (const [, key, body] of listed) {
      const r = RECIPIENTS[key as 'twilio' | 'hosting'];
      expect(text(body)).toContain(r.processorRetention[l]);
      expect(text(body)).toContain(r.data[l]);
      for (const url of 'transfer' in r ? r.transfer.safeguardsAt : []) expect(body).toContain(`href="${url}"`);
    }
    expect(text(pages[l])).toContain(`${RECIPIENTS.hosting.name[l]}: Nordic Hosting AB, Sweden`);
    // The hosting provider holds what every operation stores.
    expect(ropa.processors[1].operations).toEqual(ropa.items.map((i) => i.operation));
    // Art. 28 agreement, available on request, on the page and in the record.
    expect(text(pages[l])).toMatch(
      { en: /data processing agreement.*Art\. 28/, sv: /personuppgiftsbiträdesavtal.*art\. 28/, nb: /databehandleravtale.*art\. 28/ }[l],
    );
    for (const p of ropa.processors) expect(p.agreement).toMatch(/Art\. 28.*on request/);
  });

  it.each(['sv', 'nb'] as const)('%s: no English on the page (purposes, periods, recipients and transfers translated)', (l) => {
    const body = text(pages[l].replace(/<nav>.*?<\/nav>/s, '').replace(/<a [^>]*>.*?<\/a>/g, ''));
    expect(pages[l]).not.toContain('<span lang="en">');
    const found = ENGLISH.filter((re) => re.test(body)).map((re) => body.match(re)![0]);
    expect(found).toEqual([]);
    expect(body).not.toMatch(/kort tid|begrenset tid|begränsad tid/);
    for (const period of { sv: ['90 dagar', '12 månader', '10 år'], nb: ['90 dager', '12 måneder', '10 år'] }[l]) expect(body).toContain(period);
  });

  it('every SMS-sending operation shows the US transfer, in the record and on each page', () => {
    const sending = ropa.items.filter((i) => /^sms\.send\.|^alarms\.escalation\.text_|^sms\.inbound$/.test(i.operation));
    expect(sending.map((i) => i.operation).sort()).toEqual([
      'alarms.escalation.text_contact',
      'alarms.escalation.text_owner',
      'sms.inbound',
      'sms.send.alarm_contact',
      'sms.send.alarm_owner',
      'sms.send.contact_notice',
    ]);
    const transfer = sending[0].thirdCountryTransfers;
    expect(transfer).toMatch(/United States \(Twilio\).*Data Privacy Framework.*Standard Contractual Clauses/);
    for (const i of sending) expect(i.thirdCountryTransfers).toBe(transfer);
    // No row names Twilio without its transfer.
    for (const i of ropa.items) expect(i.recipients.some((r) => r.startsWith('Twilio')) === (i.thirdCountryTransfers !== 'none')).toBe(true);
    const twilio = ropa.processors.find((p) => p.name.startsWith('Twilio'))!;
    expect(twilio.processorRetention).toMatch(/until it is deleted through Twilio's API/);
    expect(twilio.operations).toEqual(expect.arrayContaining(sending.map((i) => i.operation)));
  });

  it('medical alarms are declared as health data with their Art. 9(2) condition on every operation that handles them', () => {
    const byOperation = new Map(ropa.items.map((i) => [i.operation, i]));
    const medical = [
      'panels.events.receive',
      'alarms.list',
      'alarms.read',
      'alarms.stream',
      'alarms.actions',
      'alarms.actions.bulk',
      'alarms.calls',
      'alarms.claims',
      'alarms.escalation.text_owner',
      'alarms.escalation.text_contact',
      'sms.send.alarm_owner',
      'sms.send.alarm_contact',
      'sms.messages.list',
      'customers.action_plans.set',
      'privacy.subject.export',
      'privacy.subject.erasure',
      'privacy.retention.alarm_history',
    ];
    for (const op of medical) {
      const row = byOperation.get(op);
      expect({ op, specialCategories: row?.specialCategories }).toEqual({
        op,
        specialCategories: [expect.stringMatching(/^health data: medical alarms.*Art\. 9\(2\)\([acf]\)/)],
      });
    }
    expect(byOperation.get('alarms.read')!.specialCategories[0]).toMatch(/9\(2\)\(c\) vital interests.*9\(2\)\(a\) explicit consent/);
    expect(byOperation.get('privacy.retention.alarm_history')!.specialCategories[0]).toMatch(/9\(2\)\(f\)/);
    for (const op of ['operators.login', 'customers.create', 'contacts.create', 'sms.send.contact_notice'])
      expect(byOperation.get(op)!.specialCategories).toEqual([]);
  });

  it('the police are declared as recipients where operators call them and for requests made under the law', () => {
    const police = RECIPIENTS.police.name.en;
    for (const op of ['alarms.actions', 'alarms.calls', 'alarms.read']) expect(ropa.items.find((i) => i.operation === op)!.recipients).toContain(police);
    expect(text(pages.sv)).toContain('polisen får också uppgifter när den begär ut dem med stöd av lag');
    expect(text(pages.nb)).toContain('politiet får også opplysninger når de ber om dem med hjemmel i lov');
  });

  it('tells an alarm contact, in the section the onboarding SMS links to, that Twilio texts them under an Art. 28 agreement available on request', () => {
    const section = (l: SmsLanguage, heading: string) => text(pages[l].split(`<h2>${heading}</h2>`)[1].split('</section>')[0]);
    expect(section('en', 'If you are someone&#39;s alarm contact')).toMatch(
      /Twilio Inc\. in the United States, under a data processing agreement \(GDPR Art\. 28\).*a copy of the agreement on request/,
    );
    expect(section('sv', 'Om du är någons larmkontakt')).toMatch(
      /Twilio Inc\. i USA, enligt ett personuppgiftsbiträdesavtal \(GDPR art\. 28\).*en kopia av avtalet på begäran/,
    );
    expect(section('nb', 'Hvis du er noens alarmkontakt')).toMatch(
      /Twilio Inc\. i USA, etter en databehandleravtale \(GDPR art\. 28\).*en kopi av avtalen på forespørsel/,
    );
  });

  it('the ten-year ground cites foreldelsesloven §§ 2, 3 and 10 for Norway and preskriptionslagen 2 § for Sweden', () => {
    const history = ropa.items.find((i) => i.operation === 'privacy.retention.alarm_history')!;
    expect(history.retention).toContain('foreldelsesloven §§ 2, 3 and 10');
    expect(history.retention).toContain('preskriptionslagen 2 §');
    expect(text(pages.nb)).toContain('foreldelsesloven §§ 2 og 3');
    expect(text(pages.nb)).toContain('tilleggsfrist (§ 10) med en absolutt grense på 10 år');
    expect(text(pages.sv)).toContain('preskriptionslagen 2 §');
    for (const l of ['en', 'sv', 'nb'] as const) expect(text(pages[l])).not.toContain('§ 9');
  });
});

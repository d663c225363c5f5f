import { describe, expect, it } from '@jest/globals';
import { ALARM_ACTIONS, PANEL_EVENTS_RECEIVE } from '../alarms/alarms.processing.js';
import { ESCALATION_TEXT_CONTACT, ESCALATION_TEXT_OWNER } from '../escalation/escalation.processing.js';
import { ALARM_CALLS } from '../alarm-handling/alarm-handling.processing.js';
import { INBOUND_SMS, SMS_SENDING } from '../sms/sms.processing.js';
import type { SmsLanguage } from '../sms/texts.js';
import { DPF_LIST_URL, processors, RECIPIENTS, recipientNames, SCC_URL, transfersOf, type Recipient } from './recipients.js';
import { describeSpecialCategories, HEALTH_AT_ALARM, HEALTH_IN_HISTORY } from './special-categories.js';

const LANGUAGES: SmsLanguage[] = ['en', 'sv', 'nb'];

describe('recipients registry', () => {
  it('derives the transfer from the processors named: Twilio means the US with its mechanism, staff only means none', () => {
    expect(transfersOf(['twilio', 'mobile_operators'])).toBe(
      "United States (Twilio): EU-US Data Privacy Framework (Art. 45) and the Commission's Standard Contractual Clauses (Art. 46(2)(c))",
    );
    expect(transfersOf(['staff', 'police'])).toBe('none');
    expect(transfersOf([])).toBe('none');
    // Named twice, said once.
    expect(transfersOf(['twilio', 'twilio'])).toBe(transfersOf(['twilio']));
    expect(transfersOf(['twilio'], 'sv')).toMatch(/^USA \(Twilio\): .*standardavtalsklausuler \(art\. 46\.2 c\)$/);
    expect(transfersOf(['staff'], 'nb')).toBe('ingen');
    expect(recipientNames(['staff', 'police'], 'sv')).toEqual([RECIPIENTS.staff.name.sv, RECIPIENTS.police.name.sv]);
  });

  it('every SMS-sending declaration goes through Twilio, so each shows the same US transfer', () => {
    for (const d of [...SMS_SENDING, ESCALATION_TEXT_OWNER, ESCALATION_TEXT_CONTACT, INBOUND_SMS]) {
      expect({ operation: d.operation, transfer: transfersOf(d.recipients) }).toEqual({ operation: d.operation, transfer: transfersOf(['twilio']) });
    }
    // A contact's alarm SMS tells the contact about the customer's alarm: the contacts are recipients.
    expect(ESCALATION_TEXT_CONTACT.recipients).toContain('alarm_contacts');
  });

  it('names every recipient in all three languages, and each processor with its country, data, own retention and, outside the EU/EEA, where its safeguards can be read', () => {
    for (const [key, r] of Object.entries(RECIPIENTS) as Array<[string, Recipient]>) {
      for (const l of LANGUAGES) expect({ key, l, name: r.name[l].length > 3 }).toEqual({ key, l, name: true });
      expect(new Set(LANGUAGES.map((l) => r.name[l])).size).toBeGreaterThan(1);
    }
    const all = processors();
    expect(all.map(([k]) => k)).toContain('twilio');
    for (const [key, p] of all) {
      for (const l of LANGUAGES) {
        expect({ key, l, country: p.country?.[l], data: p.data?.[l], retention: p.processorRetention?.[l] }).toEqual({
          key,
          l,
          country: expect.any(String),
          data: expect.any(String),
          retention: expect.any(String),
        });
      }
    }
    expect(RECIPIENTS.twilio.transfer.safeguardsAt).toEqual([SCC_URL, DPF_LIST_URL]);
    expect(RECIPIENTS.twilio.processorRetention.en).toMatch(/until it is deleted through Twilio's API/);
    // What an erasure does there (processor-deletion.ts), in every language.
    expect(RECIPIENTS.twilio.processorRetention.en).toMatch(/When a person is erased.*their messages are deleted at Twilio through that API/);
    expect(RECIPIENTS.twilio.processorRetention.sv).toMatch(/När en person raderas.*raderar systemet själv deras meddelanden hos Twilio/);
    expect(RECIPIENTS.twilio.processorRetention.nb).toMatch(/Når en person slettes.*sletter systemet selv meldingene deres hos Twilio/);
  });

  it('declares the police where operators call them and where the law lets them ask for alarm history', () => {
    for (const d of [ALARM_ACTIONS, ALARM_CALLS]) expect(d.recipients).toEqual(expect.arrayContaining(['police', 'emergency_services', 'guard_company']));
    expect(recipientNames(['police'])[0]).toMatch(/when called at an alarm or when they request data under the law/);
  });
});

describe('special categories (Art. 9)', () => {
  it('declares health data with its Art. 9(2) conditions on the medical-alarm operations', () => {
    for (const d of [PANEL_EVENTS_RECEIVE, ALARM_ACTIONS, ALARM_CALLS, ESCALATION_TEXT_OWNER, ESCALATION_TEXT_CONTACT])
      expect(d.specialCategories).toEqual(HEALTH_AT_ALARM);
    expect(describeSpecialCategories(HEALTH_AT_ALARM)).toEqual([
      "health data: medical alarms (including fall and assistance alarms) and operators' notes and procedures about them " +
        '(Art. 9(2)(c) vital interests, where the person cannot consent at the time of the alarm; Art. 9(2)(a) explicit consent, given in the contract for medical-alarm monitoring)',
    ]);
    expect(describeSpecialCategories(HEALTH_IN_HISTORY, 'nb')[0]).toMatch(/^helseopplysninger: .*art\. 9 nr\. 2 f/);
    expect(describeSpecialCategories(undefined)).toEqual([]);
  });
});

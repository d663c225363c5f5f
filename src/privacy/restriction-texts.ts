import { smsField, type SmsLanguage } from '../sms/texts.js';

/**
 * The Art. 19 notice to an alarm contact who has had alarm texts about a customer who restricted
 * processing: whose data, that alarm texts still come (Art. 18(2)), what we ask of them, where to read
 * more. No ground, no detail: the notice itself discloses as little as it can. GSM-7 only.
 */
export function restrictionNoticeText(i: { language: SmsLanguage; company: string; customerName: string; policyUrl: string }): string {
  const name = smsField(i.customerName).slice(0, 40).trimEnd();
  switch (i.language) {
    case 'sv':
      return `${i.company}: ${name} har begränsat hur vi får använda sina uppgifter (GDPR art. 18). Du får fortfarande larm-sms om hemmet. Spara inte äldre sms om dem längre än du behöver. Info: ${i.policyUrl}`;
    case 'nb':
      return `${i.company}: ${name} har begrenset hvordan vi kan bruke opplysningene sine (GDPR art. 18). Du får fortsatt alarm-SMS om hjemmet. Ikke ta vare på eldre SMS om dem lenger enn du trenger. Info: ${i.policyUrl}`;
    default:
      return `${i.company}: ${name} has restricted how we may use their data (GDPR art. 18). You will still get alarm texts about their home. Please keep older texts about them no longer than you need. Info: ${i.policyUrl}`;
  }
}

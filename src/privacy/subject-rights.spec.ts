import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../config/app-config.js';
import { POLICY_LANGUAGES } from '../privacy-policy/policy-version.js';
import { subjectRightsText } from './subject-rights.js';

describe('the rights and complaint text of an export (Art. 15(1)(e)-(f))', () => {
  const config = loadConfig({ DPO_CONTACT: 'dpo@larmbolaget.example', CONTROLLER_CONTACT: 'privacy@larmbolaget.example' });

  it.each(POLICY_LANGUAGES)('is in the current policy in %s: rights, both authorities, and how to reach us filled in', (language) => {
    const text = subjectRightsText(language, 'contact', config);
    const rights = text.rights.items.join('\n');
    for (const article of ['15', '16', '17', '18', '21']) expect(rights).toMatch(new RegExp(`[Aa]rt\\. ${article}\\b`));
    expect(rights).toContain('Integritetsskyddsmyndigheten (IMY, imy.se)');
    expect(rights).toContain('Datatilsynet (datatilsynet.no)');
    const contactUs = text.contactUs.paragraphs.join('\n');
    expect(contactUs).toContain('dpo@larmbolaget.example');
    expect(contactUs).not.toMatch(/\{\w+\}/);
    // A contact is told where their data came from: the customer who named them.
    expect(text.source?.paragraphs.length).toBeGreaterThan(0);
    expect(subjectRightsText(language, 'customer', config).source).toBeUndefined();
  });
});

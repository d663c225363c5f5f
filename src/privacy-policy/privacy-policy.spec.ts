import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../common/domain-error.js';
import { POLICY_LANGUAGES, POLICY_VERSION, policyUrl } from './policy-version.js';
import { POLICY_TEXTS } from './policy-texts.js';
import { escapeHtml, policyLanguage } from './privacy-policy.js';

describe('privacy policy helpers', () => {
  it('has words for the current version in every language', () => {
    for (const l of POLICY_LANGUAGES) expect(POLICY_TEXTS[POLICY_VERSION][l].sections.length).toBeGreaterThan(5);
  });

  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('takes ?lang first, rejects an unknown one, else the best Accept-Language match, else English', () => {
    expect(policyLanguage('nb', 'sv')).toBe('nb');
    expect(() => policyLanguage('de', undefined)).toThrow(DomainError);
    expect(() => policyLanguage('', undefined)).toThrow(DomainError);
    expect(policyLanguage(undefined, 'sv-SE,sv;q=0.9,en;q=0.8')).toBe('sv');
    expect(policyLanguage(undefined, 'en;q=0.5, no;q=0.9')).toBe('nb');
    expect(policyLanguage(undefined, 'nn-NO')).toBe('nb');
    expect(policyLanguage(undefined, 'sv;q=0, en')).toBe('en');
    expect(policyLanguage(undefined, 'fr, de')).toBe('en');
    expect(policyLanguage(undefined, undefined)).toBe('en');
  });

  it("links to the policy in the reader's language", () => {
    expect(policyUrl('https://a.example', 'nb')).toBe('https://a.example/privacy?lang=nb');
  });
});

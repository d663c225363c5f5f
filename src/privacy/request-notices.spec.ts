import { describe, expect, it } from '@jest/globals';
import { extensionNotice } from './request-notices.js';

describe('the extension notice (Art. 12(3))', () => {
  const n = { kind: 'erasure' as const, receivedDate: '2027-01-31', dueDate: '2027-04-30', reason: 'ten years of alarm history to go through.' };

  it("says why and by when, in the person's language", () => {
    expect(extensionNotice('en', n)).toBe(
      'We received your request for erasure on 2027-01-31. We need more time to answer it: ten years of alarm history to go through. ' +
        'You will have our answer by 2027-04-30 at the latest (GDPR Art. 12(3)).',
    );
    expect(extensionNotice('sv', n)).toMatch(/^Vi tog emot din begäran om radering den 2027-01-31\. .* senast den 2027-04-30 \(GDPR art\. 12\.3\)\.$/);
    expect(extensionNotice('nb', n)).toMatch(/^Vi mottok forespørselen din om sletting 2027-01-31\. .* senest 2027-04-30 \(GDPR art\. 12 nr\. 3\)\.$/);
  });
});

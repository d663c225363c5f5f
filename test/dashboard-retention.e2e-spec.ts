import { beforeAll, describe, expect, it } from '@jest/globals';
import { axeFindings } from './support/axe.js';
import { dashboardSuite, haveChromium } from './support/chromium.js';
import type { TestApp } from './support/test-app.js';

const haveBrowser = haveChromium('dashboard-retention.e2e-spec');

(haveBrowser ? describe : describe.skip)('dashboard in Chromium: the DPO reads the retention rules', () => {
  const suite = dashboardSuite(9900);
  const { pageErrors, session } = suite;
  let t: TestApp;
  beforeAll(() => {
    ({ t } = suite);
  });

  it('the Privacy page lists every table with how long it is kept, what then happens, and which job does it', async () => {
    const dpo = await session('dpo');
    await dpo.getByRole('link', { name: 'Privacy' }).click();
    const rules = dpo.getByRole('table', { name: 'Retention rules' });
    await rules.waitFor();
    const ropa = await t.request('GET', '/api/privacy/ropa', { token: await t.tokenFor('dpo') });
    expect(await rules.locator('tbody tr').count()).toBe(ropa.body.retentionRules.length);
    const erasureRecord = rules.locator('tr[data-table="erasure_record"]');
    expect((await erasureRecord.locator('td').allTextContents()).slice(0, 3)).toEqual(['erasure_record', '13 months', 'deleted']);
    expect(await rules.locator('tr[data-table="operator"] td').nth(4).textContent()).toBe('TableRetentionJobs.eraseDisabledOperators');
    expect(await rules.locator('tr[data-table="sms_message"] td:nth-child(3)').allTextContents()).toEqual(['text blanked', 'deleted', 'anonymised']);
    await rules.scrollIntoViewIfNeeded();
    expect(await axeFindings(dpo, 10)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

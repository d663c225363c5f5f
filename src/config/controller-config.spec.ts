import { describe, expect, it } from '@jest/globals';
import { ConfigError, controllerWarning, loadConfig } from './app-config.js';

const NAMED = {
  CONTROLLER_NAME: 'Larmbolaget AB',
  CONTROLLER_ORG_NUMBER: '556000-0000',
  CONTROLLER_ADDRESS: 'Box 1, 111 11 Stockholm',
  CONTROLLER_CONTACT: 'privacy@larmbolaget.se',
  DPO_CONTACT: 'dpo@larmbolaget.se',
};

function refusal(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('who is responsible (controller and DPO)', () => {
  it('starts in production when the controller and the DPO are named', () => {
    const c = loadConfig({ NODE_ENV: 'production', ...NAMED });
    expect(c.controller).toEqual({
      name: 'Larmbolaget AB',
      orgNumber: '556000-0000',
      address: 'Box 1, 111 11 Stockholm',
      contact: 'privacy@larmbolaget.se',
      dpoContact: 'dpo@larmbolaget.se',
    });
    expect(controllerWarning(c)).toBeUndefined();
  });

  it.each(Object.keys(NAMED))('refuses to start in production without %s, naming it', (name) => {
    const env: Record<string, string> = { NODE_ENV: 'production', ...NAMED };
    delete env[name];
    expect(refusal(env)).toEqual([expect.stringMatching(new RegExp(`^${name}: is required in production \\(.+\\)$`))]);
    // Blank (as `NAME=` in a compose file, or spaces) is not a name either.
    expect(refusal({ ...env, [name]: '  ' })).toEqual([expect.stringMatching(new RegExp(`^${name}: is required in production`))]);
  });

  it('names every missing variable at once in production', () => {
    expect(refusal({ NODE_ENV: 'production' }).map((p) => p.split(':')[0])).toEqual([
      'CONTROLLER_NAME',
      'CONTROLLER_ORG_NUMBER',
      'CONTROLLER_ADDRESS',
      'CONTROLLER_CONTACT',
      'DPO_CONTACT',
    ]);
  });

  it('starts locally with plain placeholders, and says so in one warning line', () => {
    const c = loadConfig({ CONTROLLER_NAME: 'Larmbolaget AB', DPO_CONTACT: 'dpo@larmbolaget.se' });
    expect(c.controller).toEqual({
      name: 'Larmbolaget AB',
      orgNumber: 'not configured (set CONTROLLER_ORG_NUMBER)',
      address: 'not configured (set CONTROLLER_ADDRESS)',
      contact: 'not configured (set CONTROLLER_CONTACT)',
      dpoContact: 'dpo@larmbolaget.se',
    });
    const warning = controllerWarning(c)!;
    expect(warning.split('\n')).toHaveLength(1);
    expect(warning).toMatch(/warning: CONTROLLER_ORG_NUMBER, CONTROLLER_ADDRESS, CONTROLLER_CONTACT not set/);
    expect(controllerWarning(loadConfig({ ...NAMED }))).toBeUndefined();
  });
});

describe('COMPANY_TIME_ZONE', () => {
  it('defaults to Europe/Stockholm and takes an IANA zone', () => {
    expect(loadConfig({}).timeZone).toBe('Europe/Stockholm');
    expect(loadConfig({ COMPANY_TIME_ZONE: 'Europe/Oslo' }).timeZone).toBe('Europe/Oslo');
  });

  it('refuses what is not an IANA zone', () => {
    expect(refusal({ COMPANY_TIME_ZONE: 'Stockholm' })).toEqual([
      'COMPANY_TIME_ZONE: must be an IANA time zone such as Europe/Stockholm or Europe/Oslo (got "Stockholm")',
    ]);
  });
});

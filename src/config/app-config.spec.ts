import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './app-config.js';

const SID = 'AC' + '0123456789abcdef'.repeat(2);
const MG = 'MG' + 'fedcba9876543210'.repeat(2);

/** The problems loadConfig reports for this environment (fails the test if it accepts it). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const err = e as ConfigError;
    // The message is what main.ts prints: a header, then exactly one line per problem.
    expect(err.message.split('\n')).toEqual(['Invalid configuration:', ...err.problems.map((p) => `  ${p}`)]);
    return err.problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('starts with the documented defaults from an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve('./.keyholder'));
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
    expect(c.admin).toEqual({ email: 'admin@localhost', password: undefined });
    expect(c.sms).toMatchObject({ provider: 'outbox', twilio: undefined, webhookAuthToken: undefined });
    expect(c.companyName).toBe('Keyholder');
    expect(c.logLevel).toBe('info');
    expect(c.sessionTtlSeconds).toBe(12 * 3600);
    expect(c.cookieSecure).toBe(false);
    expect(c.encryptionKey).toBeUndefined();
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://kh:pw@db:5432/keyholder',
      DATA_DIR: '/var/lib/keyholder',
      PUBLIC_BASE_URL: 'https://alarm.example.com/',
      ADMIN_EMAIL: 'Boss@Example.com',
      ADMIN_PASSWORD: 'a-long-enough-password',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'twilio-auth-token-123',
      TWILIO_MESSAGING_SERVICE_SID: MG,
      TWILIO_API_URL: 'http://127.0.0.1:9999/',
      COMPANY_NAME: 'Larmbolaget',
      LOG_LEVEL: 'warn',
      SESSION_TTL_SECONDS: '3600',
      COOKIE_SECURE: 'false',
      CONTROLLER_NAME: 'Larmbolaget AB',
      CONTROLLER_CONTACT: 'privacy@larmbolaget.se',
      CONTROLLER_ORG_NUMBER: '556000-0000',
      CONTROLLER_ADDRESS: 'Box 1, 111 11 Stockholm',
      DPO_CONTACT: 'dpo@larmbolaget.se',
      COMPANY_TIME_ZONE: 'Europe/Oslo',
      ENCRYPTION_KEY: 'ab'.repeat(32),
    });
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBe('postgresql://kh:pw@db:5432/keyholder');
    expect(c.dataDir).toBe('/var/lib/keyholder');
    expect(c.publicBaseUrl).toBe('https://alarm.example.com');
    expect(c.admin).toEqual({ email: 'boss@example.com', password: 'a-long-enough-password' });
    expect(c.sms).toMatchObject({
      provider: 'twilio',
      twilio: { accountSid: SID, authToken: 'twilio-auth-token-123', from: undefined, messagingServiceSid: MG, apiUrl: 'http://127.0.0.1:9999' },
      webhookAuthToken: 'twilio-auth-token-123',
    });
    expect(c.companyName).toBe('Larmbolaget');
    expect(c.logLevel).toBe('warn');
    expect(c.sessionTtlSeconds).toBe(3600);
    expect(c.cookieSecure).toBe(false); // explicit, although the public URL is https
    expect(c.controller).toEqual({
      name: 'Larmbolaget AB',
      orgNumber: '556000-0000',
      address: 'Box 1, 111 11 Stockholm',
      contact: 'privacy@larmbolaget.se',
      dpoContact: 'dpo@larmbolaget.se',
    });
    expect(c.controllerPlaceholders).toEqual([]);
    expect(c.timeZone).toBe('Europe/Oslo');
    expect(c.encryptionKey).toEqual(Buffer.alloc(32, 0xab));
  });

  it('writes readable lines or JSON as LOG_FORMAT says, and refuses any other format', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'auto' }).logFormat).toBe(process.stdout.isTTY ? 'pretty' : 'json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT.*"auto", "pretty" or "json"/);
  });

  it('derives the public URL from PORT and secure cookies from an https URL', () => {
    expect(loadConfig({ PORT: '4000' }).publicBaseUrl).toBe('http://localhost:4000');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://alarm.example.com' }).cookieSecure).toBe(true);
  });

  it('treats empty variables as unset (FOO= in a compose file)', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: '', TWILIO_ACCOUNT_SID: '', ADMIN_PASSWORD: '' });
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.sms.provider).toBe('outbox');
    expect(c.admin.password).toBeUndefined();
  });

  it('uses Twilio when an account SID is set, and the outbox when told to', () => {
    const twilio = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'twilio-auth-token-123', TWILIO_FROM: '+46701234567' };
    expect(loadConfig(twilio).sms.provider).toBe('twilio');
    expect(loadConfig(twilio).sms.twilio?.apiUrl).toBe('https://api.twilio.com');
    expect(loadConfig({ ...twilio, TWILIO_FROM: 'Larmbolag' }).sms.twilio?.from).toBe('Larmbolag');
    expect(loadConfig({ ...twilio, SMS_PROVIDER: 'outbox' }).sms).toMatchObject({ provider: 'outbox', twilio: undefined });
  });

  it('keeps the auth token for webhook signatures whatever the provider', () => {
    // A token without an account SID: the provider defaults to the outbox (docs/api-contract.md#configuration), and the token
    // still checks X-Twilio-Signature on the webhooks.
    const tokenOnly = loadConfig({ TWILIO_AUTH_TOKEN: 'twilio-auth-token-123' });
    expect(tokenOnly.sms).toMatchObject({ provider: 'outbox', twilio: undefined, webhookAuthToken: 'twilio-auth-token-123' });
    // The outbox chosen explicitly, with every Twilio setting present.
    const told = loadConfig({ SMS_PROVIDER: 'outbox', TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'twilio-auth-token-123', TWILIO_FROM: '+46701234567' });
    expect(told.sms).toMatchObject({ provider: 'outbox', twilio: undefined, webhookAuthToken: 'twilio-auth-token-123' });
    expect(loadConfig({ SMS_PROVIDER: 'outbox', TWILIO_AUTH_TOKEN: 'twilio-auth-token-123' }).sms.webhookAuthToken).toBe('twilio-auth-token-123');
    // Twilio as the provider: the same token signs the API calls and checks the webhooks.
    const sending = loadConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'twilio-auth-token-123', TWILIO_FROM: '+46701234567' });
    expect(sending.sms).toMatchObject({ provider: 'twilio', twilio: { authToken: 'twilio-auth-token-123' }, webhookAuthToken: 'twilio-auth-token-123' });
  });

  it('reports one readable line per problem, naming the variable', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      PUBLIC_BASE_URL: 'nope',
      ADMIN_PASSWORD: 'short',
      ADMIN_EMAIL: 'bob',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toEqual([
      'PORT: must be a whole number (got "abc")',
      'DATABASE_URL: must be a postgres:// or postgresql:// connection string',
      'PUBLIC_BASE_URL: must be an http(s) URL such as https://alarm.example.com (got "nope")',
      'ADMIN_EMAIL: must be an email address (got "bob")',
      'ADMIN_PASSWORD: must be at least 12 characters',
      expect.stringMatching(/^LOG_LEVEL: must be one of the following values: fatal, error, warn, info, debug, trace, silent \(got "loud"\)$/),
    ]);
  });

  it('says what is wrong with a number, not the bound it happens to miss', () => {
    expect(problemsOf({ PORT: '3.5' })).toEqual(['PORT: must be a whole number (got "3.5")']);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: must not be greater than 65535 (got "70000")']);
    expect(problemsOf({ SESSION_TTL_SECONDS: 'soon' })).toEqual(['SESSION_TTL_SECONDS: must be a whole number of seconds (got "soon")']);
    expect(problemsOf({ SESSION_TTL_SECONDS: '5' })).toEqual(['SESSION_TTL_SECONDS: must not be less than 60 (got "5")']);
  });

  it('checks the remaining variables', () => {
    const problems = problemsOf({
      SMS_PROVIDER: 'carrier-pigeon',
      COOKIE_SECURE: 'yes',
      ENCRYPTION_KEY: 'not-hex',
      COMPANY_NAME: 'x'.repeat(41),
      TWILIO_API_URL: 'ftp://twilio',
    });
    expect(problems).toHaveLength(5);
    expect(problems).toEqual(
      expect.arrayContaining([
        'SMS_PROVIDER: must be "twilio" or "outbox" (got "carrier-pigeon")',
        'COOKIE_SECURE: must be "true" or "false" (got "yes")',
        'ENCRYPTION_KEY: must be 64 hex characters (a 256-bit key)',
        expect.stringMatching(/^COMPANY_NAME: must be at most 40 characters/),
        'TWILIO_API_URL: must be an http(s) URL (got "ftp://twilio")',
      ]),
    );
  });

  it('reads TRUST_PROXY as Express takes it, off by default, and refuses what it cannot use', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, 192.168.1.5, fd00::/8, 10.1.0.0/255.255.0.0' }).trustProxy).toBe(
      'loopback,10.0.0.0/8,192.168.1.5,fd00::/8,10.1.0.0/255.255.0.0',
    );
    expect(problemsOf({ TRUST_PROXY: 'true' })).toEqual([
      expect.stringMatching(/^TRUST_PROXY: true would let any client choose its own address; .* \(got "true"\)$/),
    ]);
    expect(problemsOf({ TRUST_PROXY: 'loopback, proxy.example, 10.0.0.0/33' })).toEqual([
      'TRUST_PROXY: must be a number of proxies (e.g. 1), or addresses and CIDR ranges separated by commas (e.g. loopback, 10.0.0.0/8); not understood: proxy.example, 10.0.0.0/33 (got "loopback, proxy.example, 10.0.0.0/33")',
    ]);
  });

  it('reads the SMS spending limits: the Nordic countries and 200/2000 SMS a day by default', () => {
    expect(loadConfig({}).sms).toMatchObject({ allowedCountries: ['SE', 'NO', 'DK', 'FI', 'IS'], dailyCapPerOperator: 200, dailyCap: 2000 });
    const c = loadConfig({ SMS_ALLOWED_COUNTRIES: ' se, no ,AX,se', SMS_DAILY_CAP_PER_OPERATOR: '2', SMS_DAILY_CAP: '5' });
    expect(c.sms).toMatchObject({ allowedCountries: ['SE', 'NO', 'AX'], dailyCapPerOperator: 2, dailyCap: 5 });
  });

  it('refuses an unknown country code and a cap that is not a whole number of SMS', () => {
    expect(problemsOf({ SMS_ALLOWED_COUNTRIES: 'SE,XX' })).toEqual([
      'SMS_ALLOWED_COUNTRIES: "XX" is not an ISO 3166 alpha-2 country code with phone numbers; give a list such as SE,NO,DK,FI,IS (got "SE,XX")',
    ]);
    expect(problemsOf({ SMS_ALLOWED_COUNTRIES: 'Sweden' })).toEqual([expect.stringMatching(/^SMS_ALLOWED_COUNTRIES: "SWEDEN" is not an ISO 3166 alpha-2/)]);
    expect(problemsOf({ SMS_ALLOWED_COUNTRIES: 'SE,,NO' })).toEqual([expect.stringMatching(/^SMS_ALLOWED_COUNTRIES: "" is not/)]);
    expect(problemsOf({ SMS_DAILY_CAP_PER_OPERATOR: 'lots', SMS_DAILY_CAP: '2.5' })).toEqual([
      'SMS_DAILY_CAP_PER_OPERATOR: must be a whole number of SMS a day (got "lots")',
      'SMS_DAILY_CAP: must be a whole number of SMS a day (got "2.5")',
    ]);
    expect(problemsOf({ SMS_DAILY_CAP: '0' })).toEqual(['SMS_DAILY_CAP: must not be less than 1 (got "0")']);
  });

  it('refuses partial Twilio settings instead of silently not sending', () => {
    expect(problemsOf({ SMS_PROVIDER: 'twilio' })).toEqual([
      'TWILIO_ACCOUNT_SID: is required when SMS_PROVIDER is twilio',
      'TWILIO_AUTH_TOKEN: is required when Twilio is used',
      'TWILIO_FROM: set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID to say who sends the SMS',
    ]);
    expect(problemsOf({ TWILIO_ACCOUNT_SID: SID, TWILIO_FROM: '+46701234567' })).toEqual(['TWILIO_AUTH_TOKEN: is required when Twilio is used']);
    expect(problemsOf({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'twilio-auth-token-123' })).toEqual([
      'TWILIO_FROM: set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID to say who sends the SMS',
    ]);
    // A sender without an account SID: most likely a misspelt TWILIO_ACCOUNT_SID. (A token alone is
    // fine: the outbox, with the token for webhook signatures; see above.)
    expect(problemsOf({ TWILIO_AUTH_TOKEN: 'twilio-auth-token-123', TWILIO_FROM: '+46701234567' })).toEqual([
      'TWILIO_ACCOUNT_SID: is required when TWILIO_FROM is set (or set SMS_PROVIDER=outbox to store messages without sending)',
    ]);
    expect(problemsOf({ TWILIO_FROM: '+46701234567', TWILIO_MESSAGING_SERVICE_SID: MG })).toEqual([
      'TWILIO_ACCOUNT_SID: is required when TWILIO_FROM, TWILIO_MESSAGING_SERVICE_SID are set (or set SMS_PROVIDER=outbox to store messages without sending)',
    ]);
    // SMS_PROVIDER=twilio with only a token still needs the SID and a sender.
    expect(problemsOf({ SMS_PROVIDER: 'twilio', TWILIO_AUTH_TOKEN: 'twilio-auth-token-123' })).toEqual([
      'TWILIO_ACCOUNT_SID: is required when SMS_PROVIDER is twilio',
      'TWILIO_FROM: set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID to say who sends the SMS',
    ]);
    expect(problemsOf({ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: 'x', TWILIO_FROM: '+1' })).toEqual([
      'TWILIO_ACCOUNT_SID: must be "AC" followed by 32 hex characters (got "AC123")',
      'TWILIO_AUTH_TOKEN: is too short to be a Twilio auth token',
      'TWILIO_FROM: must be an E.164 number (+4670...) or an alphanumeric sender id of at most 11 characters (got "+1")',
    ]);
  });

  it("reads the migration role's URL and where and for whom /metrics is served", () => {
    const defaults = loadConfig({});
    expect(defaults.databaseMigrationUrl).toBeUndefined();
    expect(defaults.metrics).toEqual({ token: undefined, port: null, host: undefined });
    const c = loadConfig({
      DATABASE_URL: 'postgresql://keyholder_app:pw@db:5432/keyholder',
      DATABASE_MIGRATION_URL: 'postgresql://keyholder:pw@db:5432/keyholder',
      METRICS_TOKEN: 'a-scraper-token-of-some-length',
      METRICS_PORT: '9464',
      METRICS_HOST: '10.0.0.5',
    });
    expect(c.databaseUrl).toBe('postgresql://keyholder_app:pw@db:5432/keyholder');
    expect(c.databaseMigrationUrl).toBe('postgresql://keyholder:pw@db:5432/keyholder');
    expect(c.metrics).toEqual({ token: 'a-scraper-token-of-some-length', port: 9464, host: '10.0.0.5' });
    expect(problemsOf({ DATABASE_MIGRATION_URL: 'postgresql://keyholder:pw@db/keyholder' })).toEqual([
      'DATABASE_MIGRATION_URL: needs DATABASE_URL too (the embedded database has roles of its own)',
    ]);
    expect(problemsOf({ METRICS_HOST: '127.0.0.1' })).toEqual(['METRICS_HOST: needs METRICS_PORT (without it /metrics is served on PORT)']);
    expect(problemsOf({ PORT: '8080', METRICS_PORT: '8080' })).toEqual(['METRICS_PORT: must differ from PORT (got "8080")']);
    expect(problemsOf({ METRICS_PORT: '3000' })).toEqual(['METRICS_PORT: must differ from PORT (got "3000")']);
    expect(problemsOf({ METRICS_PORT: 'nine' })).toEqual(['METRICS_PORT: must be a whole number (got "nine")']);
    expect(problemsOf({ METRICS_TOKEN: 'a token with spaces in it' })).toEqual([
      'METRICS_TOKEN: must be printable ASCII without spaces (it is sent in an Authorization header)',
    ]);
  });

  it('never echoes a secret back', () => {
    const secrets = {
      DATABASE_URL: 'mysql://root:hunter2-db-secret@db/x',
      DATABASE_MIGRATION_URL: 'mysql://root:hunter3-owner-secret@db/x',
      METRICS_TOKEN: 'short-metric',
      ADMIN_PASSWORD: 'pw-secret',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'tok',
      TWILIO_FROM: '+46701234567',
      ENCRYPTION_KEY: 'key-secret-zz',
    };
    const problems = problemsOf(secrets);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'ADMIN_PASSWORD',
      'DATABASE_MIGRATION_URL',
      'DATABASE_URL',
      'ENCRYPTION_KEY',
      'METRICS_TOKEN',
      'TWILIO_AUTH_TOKEN',
    ]);
    const text = problems.join('\n');
    for (const secret of ['hunter2-db-secret', 'hunter3-owner-secret', 'short-metric', 'pw-secret', 'tok"', 'key-secret-zz'])
      expect(text).not.toContain(secret);
  });
});

// class-transformer's @Type reads design:type metadata when this module loads; entry points other
// than main.ts (migrate.ts, tests, scripts) import this first, so the polyfill must be loaded here.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { plainToInstance } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidationError,
  validateSync,
} from 'class-validator';
import { Type } from 'class-transformer';
import { IANAZone } from 'luxon';
import { parseCountryList } from '../common/phone-number.js';

export type SmsProviderName = 'twilio' | 'outbox';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * The environment as it arrives: strings, checked field by field.
 * Names are the contract's variables (docs/api-contract.md#configuration), each in the README's configuration table.
 */
class EnvDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// connection string' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// connection string' })
  DATABASE_MIGRATION_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_DIR?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL such as https://alarm.example.com' })
  PUBLIC_BASE_URL?: string;

  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'must be at least 12 characters' })
  @MaxLength(256)
  ADMIN_PASSWORD?: string;

  @IsOptional()
  @IsIn(['twilio', 'outbox'], { message: 'must be "twilio" or "outbox"' })
  SMS_PROVIDER?: SmsProviderName;

  @IsOptional()
  @Matches(/^AC[0-9a-fA-F]{32}$/, { message: 'must be "AC" followed by 32 hex characters' })
  TWILIO_ACCOUNT_SID?: string;

  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'is too short to be a Twilio auth token' })
  TWILIO_AUTH_TOKEN?: string;

  @IsOptional()
  @Matches(/^(\+[1-9]\d{6,14}|[A-Za-z0-9 ]{1,11})$/, { message: 'must be an E.164 number (+4670...) or an alphanumeric sender id of at most 11 characters' })
  TWILIO_FROM?: string;

  @IsOptional()
  @Matches(/^MG[0-9a-fA-F]{32}$/, { message: 'must be "MG" followed by 32 hex characters' })
  TWILIO_MESSAGING_SERVICE_SID?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  TWILIO_API_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(40, { message: 'must be at most 40 characters (it is in every SMS)' })
  COMPANY_NAME?: string;

  @IsOptional()
  @Type(() => Number)
  @IsNumber({}, { message: 'must be a number of messages per second, e.g. 1 or 50' })
  @Min(0.1)
  @Max(100000)
  SMS_RATE_PER_SECOND?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  @Max(3600)
  SMS_HANDOVER_TIMEOUT_SECONDS?: number;

  @IsOptional()
  @IsString()
  SMS_ALLOWED_COUNTRIES?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number of SMS a day' })
  @Min(1)
  @Max(10_000_000)
  SMS_DAILY_CAP_PER_OPERATOR?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number of SMS a day' })
  @Min(1)
  @Max(10_000_000)
  SMS_DAILY_CAP?: number;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: LogLevel;

  @IsOptional()
  @IsIn(['auto', 'pretty', 'json'], { message: 'must be "auto", "pretty" or "json"' })
  LOG_FORMAT?: 'auto' | 'pretty' | 'json';

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(60)
  @Max(7 * 24 * 3600)
  SESSION_TTL_SECONDS?: number;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be "true" or "false"' })
  COOKIE_SECURE?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  CONTROLLER_NAME?: string;

  @IsOptional()
  @IsString()
  @MaxLength(300)
  CONTROLLER_CONTACT?: string;

  @IsOptional()
  @IsString()
  @MaxLength(300)
  DPO_CONTACT?: string;

  @IsOptional()
  @IsString()
  @MaxLength(40)
  CONTROLLER_ORG_NUMBER?: string;

  @IsOptional()
  @IsString()
  @MaxLength(300)
  CONTROLLER_ADDRESS?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  COMPANY_TIME_ZONE?: string;

  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hex characters (a 256-bit key)' })
  ENCRYPTION_KEY?: string;

  @IsOptional()
  @Matches(/^(off|\d{1,5})$/, { message: 'must be a port number (0-65535) or "off"' })
  DC09_PORT?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  TRUST_PROXY?: string;

  @IsOptional()
  @Matches(/^\s*\d{1,5}\s*,\s*\d{1,5}\s*$/, { message: 'must be "<seconds behind>,<seconds ahead>", e.g. 40,20' })
  DC09_TIMESTAMP_WINDOW?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  @MaxLength(256)
  @Matches(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces (it is sent in an Authorization header)' })
  METRICS_TOKEN?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  METRICS_HOST?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  HOSTING_PROVIDER?: string;
}

/** What Art. 13/14(1)(a)-(b) and 37(7) ask every data subject to be told: who is responsible, and how to reach the DPO. */
const CONTROLLER_MEANING = {
  CONTROLLER_NAME: "the controller's legal name",
  CONTROLLER_ORG_NUMBER: "the controller's organisation number",
  CONTROLLER_ADDRESS: "the controller's postal address",
  CONTROLLER_CONTACT: 'how data subjects reach the controller',
  DPO_CONTACT: 'how data subjects reach the data protection officer',
} as const;
type ControllerVariable = keyof typeof CONTROLLER_MEANING;
const CONTROLLER_VARIABLES = Object.keys(CONTROLLER_MEANING) as ControllerVariable[];

/** The one start-up line that says the controller is not fully named (only outside production). */
export function controllerWarning(config: AppConfig): string | undefined {
  if (!config.controllerPlaceholders.length) return undefined;
  return (
    `[keyholder] warning: ${config.controllerPlaceholders.join(', ')} not set: the privacy policy and record of processing ` +
    'show "not configured" placeholders instead (production refuses to start without them)'
  );
}

/** The Nordic countries the central serves. */
const DEFAULT_SMS_COUNTRIES = 'SE,NO,DK,FI,IS';

/** The typed configuration every module reads. Built once, at boot, by `loadConfig`. */
export class AppConfig {
  port: number;
  /** Unset means: run the embedded PostgreSQL in `dataDir`. The app's own role: see database-roles.ts. */
  databaseUrl?: string;
  /**
   * The schema owner's connection string, which migrations (and the grants to the app's role) run
   * with. Unset: DATABASE_URL's role does both, as before the roles were split.
   */
  databaseMigrationUrl?: string;
  dataDir: string;
  publicBaseUrl: string;
  admin: { email: string; password?: string };
  sms: {
    provider: SmsProviderName;
    /** The sender's settings: present exactly when `provider` is twilio. */
    twilio?: { accountSid: string; authToken: string; from?: string; messagingServiceSid?: string; apiUrl: string };
    /**
     * TWILIO_AUTH_TOKEN whenever it is set, whatever the provider: what Twilio's webhooks (inbound SMS,
     * status callbacks) check X-Twilio-Signature with. Unset: the webhooks refuse every request.
     */
    webhookAuthToken?: string;
    /**
     * SMS_RATE_PER_SECOND (default 50): how many messages all instances together hand to the provider
     * per second (one token bucket in the database). Set it to what the sender can really send (about
     * 1 for a single long code), so a backlog waits here, where alarm SMS jump ahead of notices,
     * instead of in the provider's FIFO queue. Every instance must be given the same value.
     */
    ratePerSecond: number;
    /**
     * SMS_HANDOVER_TIMEOUT_SECONDS (default 15): an escalation step whose SMS could not be handed to
     * the provider this long after it was queued (or within the step's own wait, when that is
     * shorter) counts as not reached, and the next step starts: a sick provider must not hold up the
     * contacts.
     */
    handoverTimeoutSeconds: number;
    /**
     * SMS_ALLOWED_COUNTRIES (default SE,NO,DK,FI,IS): the countries whose numbers may be texted, as
     * ISO 3166 alpha-2 codes (FI takes in Åland, NO Svalbard: see smsDestinationAllowed). A customer's
     * or contact's phone elsewhere is refused when entered (422), and any SMS to such a number
     * (entered before the list changed) is refused at the send gate, alarm SMS too.
     */
    allowedCountries: readonly string[];
    /**
     * SMS_DAILY_CAP_PER_OPERATOR (default 200) and SMS_DAILY_CAP (default 2000): how many SMS that are
     * no alarm SMS one operator may cause, and the whole central may send, per UTC day (SmsDailyCaps).
     * Alarm SMS and reply-code confirmations are never held back by them.
     */
    dailyCapPerOperator: number;
    dailyCap: number;
  };
  companyName: string;
  logLevel: LogLevel;
  /** Readable lines for a person at a terminal; JSON lines for a log collector. */
  logFormat: 'pretty' | 'json';
  sessionTtlSeconds: number;
  cookieSecure: boolean;
  /**
   * Who is responsible (Art. 13/14(1)(a)-(b), 30(1)(a), 37(7)): shown on the policy pages, the record
   * of processing and every export. Outside production an unset one holds a placeholder that says so.
   */
  controller: { name: string; orgNumber: string; address: string; contact: string; dpoContact: string };
  /** The CONTROLLER_* / DPO_CONTACT variables left unset, whose placeholder is shown (never in production). */
  controllerPlaceholders: string[];
  /**
   * COMPANY_TIME_ZONE (default Europe/Stockholm): the IANA zone the company's calendar runs in, e.g.
   * for the one-month deadline of a data subject's request (Art. 12(3)).
   */
  timeZone: string;
  /** 32-byte key for data encrypted at rest; unset means generated into `dataDir` (see secrets). */
  encryptionKey?: Buffer;
  /**
   * The SIA DC-09 receiver: TCP and UDP on `port` (null: off; 0: any free port, for tests). An
   * encrypted frame's timestamp may be `behindSeconds` old or `aheadSeconds` in the future.
   */
  dc09: { port: number | null; window: { behindSeconds: number; aheadSeconds: number } };
  /**
   * TRUST_PROXY (default off: the connecting address is the client): which proxies in front may say
   * who the client is in X-Forwarded-For, as Express's `trust proxy` takes it: a number of hops, or
   * addresses, CIDR ranges and `loopback`/`linklocal`/`uniquelocal`. The login limits count per client
   * address, so behind a proxy without it every client is the proxy.
   */
  trustProxy: number | string | false;
  /**
   * GET /metrics: with `token`, only for `Authorization: Bearer <token>`; with `port`, served only
   * on a listener of its own (on `host`, all interfaces when unset) and not on PORT.
   */
  metrics: { token?: string; port: number | null; host?: string };
  /** Who runs the servers and the database (a processor, named in the record of processing and the policy). */
  hostingProvider: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

function describe(errors: ValidationError[], env: Record<string, string | undefined>): string[] {
  return errors.flatMap((e) => {
    const raw = env[e.property];
    // Never echo secrets back, even into a terminal.
    const secret = /PASSWORD|TOKEN|KEY|DATABASE_(MIGRATION_)?URL/.test(e.property);
    const shown = secret ? '' : ` (got "${raw}")`;
    // Decorators register bottom-up, so the last constraint is the first one written: the type
    // check (PORT=abc is "not a whole number", not "greater than 65535"). One line per variable.
    return Object.values(e.constraints ?? {})
      .slice(-1)
      .map((m) => {
        const msg = m.startsWith(e.property) ? m.slice(e.property.length + 1) : m;
        return `${e.property}: ${msg}${shown}`;
      });
  });
}

/** Reads and checks the environment; throws ConfigError with one line per problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  // Empty strings count as unset: `FOO=` in a compose file means "no value".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const dto = plainToInstance(EnvDto, present, { excludeExtraneousValues: false });
  const problems = describe(validateSync(dto, { skipMissingProperties: false }), present);

  const twilioAsked = dto.SMS_PROVIDER === 'twilio' || (!dto.SMS_PROVIDER && !!dto.TWILIO_ACCOUNT_SID);
  // A sender (TWILIO_FROM, TWILIO_MESSAGING_SERVICE_SID) without an account SID would otherwise fall
  // back to the outbox silently, and alarm SMS would never leave: most likely a misspelt variable, so
  // say so instead of guessing. TWILIO_AUTH_TOKEN alone is not in this list: without a SID the
  // provider is the outbox (docs/api-contract.md#configuration), and the token still has a use there: checking the
  // signatures of Twilio's webhooks (inbound SMS, status callbacks).
  const twilioPartial = ['TWILIO_FROM', 'TWILIO_MESSAGING_SERVICE_SID'].filter((k) => present[k]);
  if (!dto.SMS_PROVIDER && !dto.TWILIO_ACCOUNT_SID && twilioPartial.length > 0) {
    problems.push(
      `TWILIO_ACCOUNT_SID: is required when ${twilioPartial.join(', ')} ${twilioPartial.length > 1 ? 'are' : 'is'} set ` +
        '(or set SMS_PROVIDER=outbox to store messages without sending)',
    );
  }
  if (twilioAsked) {
    if (!dto.TWILIO_ACCOUNT_SID) problems.push('TWILIO_ACCOUNT_SID: is required when SMS_PROVIDER is twilio');
    if (!dto.TWILIO_AUTH_TOKEN) problems.push('TWILIO_AUTH_TOKEN: is required when Twilio is used');
    if (!dto.TWILIO_FROM && !dto.TWILIO_MESSAGING_SERVICE_SID) {
      problems.push('TWILIO_FROM: set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID to say who sends the SMS');
    }
  }
  const countries = parseCountryList(dto.SMS_ALLOWED_COUNTRIES ?? DEFAULT_SMS_COUNTRIES);
  if (!countries.ok) problems.push(`SMS_ALLOWED_COUNTRIES: ${countries.problem} (got "${dto.SMS_ALLOWED_COUNTRIES}")`);
  if (dto.DC09_PORT && dto.DC09_PORT !== 'off' && Number(dto.DC09_PORT) > 65535)
    problems.push(`DC09_PORT: must be a port number (0-65535) or "off" (got "${dto.DC09_PORT}")`);
  const trustProxy = parseTrustProxy(dto.TRUST_PROXY);
  if (typeof trustProxy === 'object') problems.push(`TRUST_PROXY: ${trustProxy.problem} (got "${dto.TRUST_PROXY}")`);
  // The embedded database makes its own roles; a migration URL there would point somewhere else.
  if (dto.DATABASE_MIGRATION_URL && !dto.DATABASE_URL)
    problems.push('DATABASE_MIGRATION_URL: needs DATABASE_URL too (the embedded database has roles of its own)');
  if (dto.METRICS_HOST && dto.METRICS_PORT === undefined) problems.push('METRICS_HOST: needs METRICS_PORT (without it /metrics is served on PORT)');
  if (dto.METRICS_PORT !== undefined && dto.METRICS_PORT !== 0 && dto.METRICS_PORT === (dto.PORT ?? 3000)) {
    problems.push(`METRICS_PORT: must differ from PORT (got "${dto.METRICS_PORT}")`);
  }
  const controllerUnset = CONTROLLER_VARIABLES.filter((name) => !dto[name]?.trim());
  // A policy page or record of processing saying "not configured" cannot be published: in
  // production the operator must name the controller and the DPO before the central starts.
  if (env.NODE_ENV === 'production') {
    for (const name of controllerUnset) problems.push(`${name}: is required in production (${CONTROLLER_MEANING[name]})`);
  }
  if (dto.COMPANY_TIME_ZONE && !IANAZone.isValidZone(dto.COMPANY_TIME_ZONE)) {
    problems.push(`COMPANY_TIME_ZONE: must be an IANA time zone such as Europe/Stockholm or Europe/Oslo (got "${dto.COMPANY_TIME_ZONE}")`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const port = dto.PORT ?? 3000;
  const config = new AppConfig();
  config.port = port;
  config.databaseUrl = dto.DATABASE_URL;
  config.databaseMigrationUrl = dto.DATABASE_MIGRATION_URL;
  config.dataDir = path.resolve(dto.DATA_DIR ?? './.keyholder');
  config.publicBaseUrl = (dto.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  config.admin = { email: (dto.ADMIN_EMAIL ?? 'admin@localhost').toLowerCase(), password: dto.ADMIN_PASSWORD };
  config.sms = {
    provider: twilioAsked ? 'twilio' : 'outbox',
    twilio: twilioAsked
      ? {
          accountSid: dto.TWILIO_ACCOUNT_SID!,
          authToken: dto.TWILIO_AUTH_TOKEN!,
          from: dto.TWILIO_FROM,
          messagingServiceSid: dto.TWILIO_MESSAGING_SERVICE_SID,
          apiUrl: (dto.TWILIO_API_URL ?? 'https://api.twilio.com').replace(/\/+$/, ''),
        }
      : undefined,
    // Kept whatever the provider (not only inside `twilio`): the webhooks check X-Twilio-Signature with the
    // auth token, and with SMS_PROVIDER=outbox a set token would otherwise leave the webhooks closed.
    webhookAuthToken: dto.TWILIO_AUTH_TOKEN,
    ratePerSecond: dto.SMS_RATE_PER_SECOND ?? 50,
    handoverTimeoutSeconds: dto.SMS_HANDOVER_TIMEOUT_SECONDS ?? 15,
    allowedCountries: countries.ok ? countries.countries : [],
    dailyCapPerOperator: dto.SMS_DAILY_CAP_PER_OPERATOR ?? 200,
    dailyCap: dto.SMS_DAILY_CAP ?? 2000,
  };
  config.companyName = dto.COMPANY_NAME ?? 'Keyholder';
  config.logLevel = dto.LOG_LEVEL ?? 'info';
  config.logFormat = dto.LOG_FORMAT === 'pretty' || ((dto.LOG_FORMAT ?? 'auto') === 'auto' && process.stdout.isTTY) ? 'pretty' : 'json';
  config.sessionTtlSeconds = dto.SESSION_TTL_SECONDS ?? 12 * 3600;
  config.cookieSecure = dto.COOKIE_SECURE ? dto.COOKIE_SECURE === 'true' : config.publicBaseUrl.startsWith('https://');
  const controllerValue = (name: ControllerVariable) => (controllerUnset.includes(name) ? `not configured (set ${name})` : dto[name]!.trim());
  config.controller = {
    name: controllerValue('CONTROLLER_NAME'),
    orgNumber: controllerValue('CONTROLLER_ORG_NUMBER'),
    address: controllerValue('CONTROLLER_ADDRESS'),
    contact: controllerValue('CONTROLLER_CONTACT'),
    dpoContact: controllerValue('DPO_CONTACT'),
  };
  config.controllerPlaceholders = controllerUnset;
  config.timeZone = dto.COMPANY_TIME_ZONE ?? 'Europe/Stockholm';
  config.encryptionKey = dto.ENCRYPTION_KEY ? Buffer.from(dto.ENCRYPTION_KEY, 'hex') : undefined;
  // The standard's window: 40 s behind, 20 s ahead. Panels' clocks drift; sites widen it.
  const [behind, ahead] = (dto.DC09_TIMESTAMP_WINDOW ?? '40,20').split(',').map((n) => Number(n.trim()));
  config.dc09 = { port: dto.DC09_PORT === 'off' ? null : Number(dto.DC09_PORT ?? 12128), window: { behindSeconds: behind, aheadSeconds: ahead } };
  config.trustProxy = trustProxy as number | string | false;
  config.metrics = { token: dto.METRICS_TOKEN, port: dto.METRICS_PORT ?? null, host: dto.METRICS_HOST };
  config.hostingProvider = dto.HOSTING_PROVIDER ?? 'not configured (set HOSTING_PROVIDER)';
  return config;
}

const PROXY_SUBNETS = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY as Express's `trust proxy` takes it, checked here rather than at the first request.
 * `true` (trust every hop) is refused: any client could then name its own address in X-Forwarded-For.
 */
function parseTrustProxy(value: string | undefined): number | string | false | { problem: string } {
  const v = value?.trim();
  if (!v || v === 'false' || v === 'off') return false;
  if (/^\d{1,2}$/.test(v)) return Number(v) || false;
  if (v === 'true') return { problem: 'true would let any client choose its own address; give the number of proxies in front (e.g. 1) or their addresses' };
  const entries = v.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !PROXY_SUBNETS.includes(e) && !isAddressOrRange(e));
  if (bad.length > 0) {
    return {
      problem: `must be a number of proxies (e.g. 1), or addresses and CIDR ranges separated by commas (e.g. loopback, 10.0.0.0/8); not understood: ${bad.join(', ')}`,
    };
  }
  return entries.join(',');
}

function isAddressOrRange(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) ? Number(bits) <= (family === 4 ? 32 : 128) : isIP(bits) === 4 && family === 4;
}

/** A random password for the bootstrap admin, readable enough to type once. */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

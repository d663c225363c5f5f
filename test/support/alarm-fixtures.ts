import { createHmac } from 'node:crypto';
import type { ApiResponse, TestApp } from './test-app.js';

/** Swedish mobile numbers, distinct per n. */
export const mobile = (n: number) => `+4670200${String(n).padStart(4, '0')}`;

export const customerBody = (n: number, extra: object = {}) => ({
  name: `Anna Lind ${n}`,
  phone: mobile(n),
  language: 'en',
  alarmAddress: { street: `Storgatan ${n}`, postalCode: '114 55', city: 'Stockholm', country: 'SE' },
  ...extra,
});

export interface Panel {
  id: string;
  secret: string;
  customerId: string;
}

export interface PanelEventBody {
  eventId: string;
  code: string;
  zone?: string;
  user?: string;
  method?: string;
  text?: string;
  occurredAt?: string;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The signature a panel sends: sha256= + hex HMAC-SHA256 over `<timestamp>.<raw body>`. */
export function sign(secret: string, timestamp: number | string, raw: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex');
}

/** Helpers over a running test app for the alarm tests. */
export class AlarmFixtures {
  private n = 0;
  constructor(
    readonly t: TestApp,
    readonly tokens: { operator: string; supervisor: string },
    /** Spreads numbers between test files sharing nothing but readability. */
    private readonly base = 0,
  ) {}

  static async create(t: TestApp, base = 0): Promise<AlarmFixtures> {
    const [operator, supervisor] = await Promise.all([t.tokenFor('operator'), t.tokenFor('supervisor')]);
    return new AlarmFixtures(t, { operator, supervisor }, base);
  }

  next(): number {
    this.n += 1;
    return this.base + this.n;
  }

  async customer(extra: object = {}): Promise<{ id: string; phone: string; n: number }> {
    const n = this.next();
    const res = await this.t.request('POST', '/api/customers', { token: this.tokens.operator, body: customerBody(n, extra) });
    if (res.status !== 201) throw new Error(`customer: ${res.status} ${res.text}`);
    return { id: res.body.id, phone: res.body.phone, n };
  }

  async contact(customerId: string, name = 'Contact'): Promise<{ id: string; phone: string }> {
    const n = this.next();
    const res = await this.t.request('POST', `/api/customers/${customerId}/contacts`, {
      token: this.tokens.operator,
      body: { name: `${name} ${n}`, phone: mobile(n) },
    });
    if (res.status !== 201) throw new Error(`contact: ${res.status} ${res.text}`);
    return { id: res.body.id, phone: res.body.phone };
  }

  async panel(customerId: string, body: object = {}): Promise<Panel> {
    const res = await this.t.request('POST', `/api/customers/${customerId}/panels`, { token: this.tokens.supervisor, body });
    if (res.status !== 201) throw new Error(`panel: ${res.status} ${res.text}`);
    return { id: res.body.id, secret: res.body.secret, customerId };
  }

  /** A customer with a panel and `contacts` contacts, in priority order. */
  async household(contacts = 0, extra: object = {}) {
    const customer = await this.customer(extra);
    const people: Array<{ id: string; phone: string }> = [];
    for (let i = 0; i < contacts; i++) people.push(await this.contact(customer.id));
    const panel = await this.panel(customer.id);
    return { customer, contacts: people, panel };
  }

  /** Posts a signed event; `raw` overrides the body bytes, `headers` the signing headers. */
  async post(
    panel: { id: string; secret: string },
    event: PanelEventBody,
    o: { timestamp?: number; raw?: string; headers?: Record<string, string>; signWith?: string } = {},
  ): Promise<ApiResponse> {
    const raw = o.raw ?? JSON.stringify({ occurredAt: new Date().toISOString(), ...event });
    const timestamp = o.timestamp ?? nowSeconds();
    const headers = o.headers ?? {
      'content-type': 'application/json',
      'x-keyholder-timestamp': String(timestamp),
      'x-keyholder-signature': sign(o.signWith ?? panel.secret, timestamp, raw),
    };
    return this.t.request('POST', `/api/panels/${panel.id}/events`, { raw, headers: { 'content-type': 'application/json', ...headers } });
  }

  async alarm(id: string): Promise<any> {
    const res = await this.t.request('GET', `/api/alarms/${id}`, { token: this.tokens.operator });
    if (res.status !== 200) throw new Error(`alarm: ${res.status} ${res.text}`);
    return res.body;
  }

  async setWaits(cls: string, ownerWaitSeconds: number, contactWaitSeconds: number): Promise<void> {
    const res = await this.t.request('PUT', `/api/settings/escalation/${cls}`, {
      token: this.tokens.supervisor,
      body: { ownerWaitSeconds, contactWaitSeconds },
    });
    if (res.status !== 200) throw new Error(`settings: ${res.status} ${res.text}`);
  }

  async act(alarmId: string, body: object): Promise<ApiResponse> {
    return this.t.request('POST', `/api/alarms/${alarmId}/actions`, { token: this.tokens.operator, body });
  }
}

/** The reply code an alarm SMS carries: "Reply 472 if…", "Svara 472 om…", "svar 472 hvis…". */
export function replyCodeIn(body: string): string {
  const match = /\b(?:Reply|Svara|Svar) (\d+)\b/i.exec(body);
  if (!match) throw new Error(`no reply code in: ${body}`);
  return match[1];
}

export async function waitUntil<T>(probe: () => Promise<T | undefined | false | null>, timeoutMs = 8000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';

type RequestClient = InstanceType<typeof twilio.RequestClient>;
type RequestOptions<T> = Parameters<RequestClient['request']>[0] & { data?: T };
/** What the SDK expects back: status, headers, and the body (parsed when it is JSON, as axios did). */
type ClientResponse<T> = Awaited<ReturnType<RequestClient['request']>> & { body: T };

const TWILIO_API = 'https://api.twilio.com';

/**
 * The transport under the Twilio SDK: the SDK still builds every request (URL, parameters, auth,
 * headers) and reads every answer (RestException and all); this only carries it, with Node's own
 * http(s) and a keep-alive agent instead of the SDK's axios, and
 * - sends calls for api.twilio.com to TWILIO_API_URL (a Twilio-compatible local server in tests, a
 *   proxy in locked-down networks);
 * - bounds each call by `timeoutMs` overall (connect, send, answer), failing with code ETIMEDOUT.
 * Why not axios: measured, it cost ~1 ms of CPU per message (config merging, interceptors), which
 * capped one instance at ~600 messages/s with the provider on another core. Where the SDK's own
 * client does something this one does not (HTTP_PROXY, TWILIO_CA_BUNDLE), that client is used.
 */
export class TwilioHttpClient extends twilio.RequestClient {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };

  constructor(
    private readonly apiUrl: string,
    private readonly timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true });
  }

  override async request<T>(opts: RequestOptions<T>): Promise<ClientResponse<T>> {
    let target = opts.uri.startsWith(TWILIO_API) ? this.apiUrl + opts.uri.slice(TWILIO_API.length) : opts.uri;
    if (process.env.HTTP_PROXY || process.env.TWILIO_CA_BUNDLE) {
      return super.request<T>({ ...opts, uri: target }) as Promise<ClientResponse<T>>;
    }
    if (opts.params && Object.keys(opts.params).length) target += (target.includes('?') ? '&' : '?') + formEncode(opts.params as Record<string, unknown>);
    const url = new URL(target);
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string> | undefined) };
    if (opts.username && opts.password) {
      headers.Authorization = 'Basic ' + Buffer.from(`${opts.username}:${opts.password}`).toString('base64');
    } else if (opts.authStrategy) {
      headers.Authorization = await opts.authStrategy.getAuthString();
    }
    let body: string | undefined;
    if (opts.data !== undefined && opts.data !== null) {
      body = headers['Content-Type'] === 'application/json' ? JSON.stringify(opts.data) : formEncode(opts.data as Record<string, unknown>);
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const agent = this.agents[url.protocol as 'http:' | 'https:'];
    if (!agent) throw Object.assign(new Error(`unsupported protocol ${url.protocol}`), { code: 'ERR_INVALID_PROTOCOL' });
    const transport = url.protocol === 'https:' ? https : http;

    return new Promise<ClientResponse<T>>((resolve, reject) => {
      const req = transport.request(url, { method: opts.method.toUpperCase(), headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          if (/json/i.test(res.headers['content-type'] ?? '')) {
            try {
              parsed = JSON.parse(text);
            } catch {
              // left as text: the SDK reports an unreadable answer itself
            }
          }
          // The SDK's RestException keeps no headers, so a 429's Retry-After would be lost: fail with
          // the same fields (status, code, message) and the wait Twilio asked for.
          const retryAfterSeconds = res.statusCode === 429 ? retryAfter(res.headers['retry-after']) : undefined;
          if (retryAfterSeconds !== undefined) {
            const b = (typeof parsed === 'object' && parsed ? parsed : {}) as { code?: number; message?: string };
            return reject(Object.assign(new Error(b.message ?? 'Too Many Requests'), { status: 429, code: b.code ?? 20429, retryAfterSeconds }));
          }
          resolve({ statusCode: res.statusCode ?? 0, body: parsed as T, headers: res.headers } as ClientResponse<T>);
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })), this.timeoutMs);
      function fail(e: Error) {
        clearTimeout(timer);
        reject(e);
      }
      req.on('error', fail);
      req.end(body);
    });
  }
}

/** Retry-After in seconds (or an HTTP date), bounded to an hour; undefined when absent or unreadable. */
function retryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.min(3600, Math.max(0, seconds)) : undefined;
}

/** application/x-www-form-urlencoded the way the SDK's own client sends it (arrays as repeated keys). */
function formEncode(data: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) form.append(key, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return form.toString();
}

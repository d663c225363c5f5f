import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import twilio from 'twilio';

/** One call to POST /2010-04-01/Accounts/{sid}/Messages.json, answered or not. */
export interface FakeTwilioRequest {
  accountSid: string;
  /** Basic auth matched the account SID and auth token. */
  authorized: boolean;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
  statusCallback?: string;
  /** When the request arrived, by the fake's `now` (performance.now() unless a test sets it). */
  at: number;
  /**
   * What the fake answered: 201, 429, 500, 400, or 'timeout' / 'reset' (no answer), or
   * 'accepted-unanswered' (stored and sent on, but no answer: see 'accept-then-hang').
   */
  outcome: number | 'timeout' | 'reset' | 'accepted-unanswered';
  /** The message SID, when it was accepted. */
  sid?: string;
  /** When the fake sent it on (its `date_sent`), when it was accepted. */
  sentAt?: Date;
}

/** One call to GET /2010-04-01/Accounts/{sid}/Messages.json: the filters as the SDK sent them. */
export interface FakeTwilioListRequest {
  authorized: boolean;
  to?: string;
  /** The raw `DateSent>` parameter. */
  dateSentAfter?: string;
  at: number;
  outcome: number | 'timeout';
}

/** One call to DELETE /2010-04-01/Accounts/{sid}/Messages/{Sid}.json. */
export interface FakeTwilioDeleteRequest {
  authorized: boolean;
  sid: string;
  at: number;
  /** 204 deleted, 404 no such message, 500, or 409 (error 20009: the message is not complete yet). */
  outcome: number;
}

/** 'in-progress': Twilio's error 20009, "cannot delete this resource before it is complete". */
export type FakeDeleteFailure = 500 | 'in-progress';

/**
 * 429, 500 and 'timeout'/'reset' are temporary; 'permanent' is a 400 with Twilio error 21211 (invalid To).
 * 'accept-then-hang' is a provider that takes the message (it is stored, sent on and listed) but never
 * answers the request: the sender times out not knowing that the message went out. 'hold' takes the
 * message and answers only when the test calls `releaseHeld()` (a send still in flight meanwhile).
 */
export type FakeFailure = 429 | 500 | 'timeout' | 'reset' | 'permanent' | 'accept-then-hang' | 'hold';

export interface SignedPostResult {
  status: number;
  text: string;
  headers: Headers;
}

/**
 * A local, Twilio-compatible Messages API for tests and benchmarks
 * (docs/stack.md#twilio-without-the-internet). It answers like Twilio, records every request, fails the next N requests on demand,
 * and calls the app back (status callbacks, inbound SMS) signed with the SDK's own algorithm.
 */
export class FakeTwilio {
  readonly accountSid = 'AC' + randomBytes(16).toString('hex');
  readonly authToken = randomBytes(16).toString('hex');
  /** Every request to create a message, in arrival order. */
  readonly requests: FakeTwilioRequest[] = [];
  /** Every request to list messages, in arrival order. */
  readonly listRequests: FakeTwilioListRequest[] = [];
  /** Every request to delete a message, in arrival order. */
  readonly deleteRequests: FakeTwilioDeleteRequest[] = [];
  /** Called for every accepted message (benchmarks measure with it). */
  onAccepted?: (request: FakeTwilioRequest) => void;
  /** The time stamped on requests (`at`), in ms: a test that runs the app on a FixedClock reads that. */
  now: () => number = () => performance.now();
  /** Sent as Retry-After with every 429, as Twilio does when it asks for a pause. */
  retryAfterSeconds?: number;
  url = '';
  private readonly failures: FakeFailure[] = [];
  private readonly listFailures: Array<500 | 'timeout'> = [];
  private readonly deleteFailures: FakeDeleteFailure[] = [];
  /** Answers of 'hold' requests, sent by releaseHeld(). */
  private readonly held: Array<() => void> = [];
  /** Messages deleted through the API: no longer held, listed or deletable. */
  private readonly deleted = new Set<string>();
  /** Inbound messages the fake delivered to the app: held like sent ones, so they can be deleted. */
  private readonly inboundSids = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  /** The app to call back: where it listens, and the public URL it signs against (PUBLIC_BASE_URL). */
  private app?: { baseUrl: string; publicBaseUrl: string };

  async start(): Promise<this> {
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The environment that points the app at this fake. */
  env(publicBaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      TWILIO_ACCOUNT_SID: this.accountSid,
      TWILIO_AUTH_TOKEN: this.authToken,
      TWILIO_FROM: '+46700000001',
      TWILIO_API_URL: this.url,
      PUBLIC_BASE_URL: publicBaseUrl,
      ...extra,
    };
  }

  connect(app: { baseUrl: string; publicBaseUrl: string }): void {
    this.app = app;
  }

  /** The next `n` requests fail this way (queued after any failures already asked for). */
  failNext(n: number, failure: FakeFailure): void {
    for (let i = 0; i < n; i++) this.failures.push(failure);
  }

  /** The next `n` requests to list messages fail this way (create requests are not affected). */
  failNextList(n: number, failure: 500 | 'timeout'): void {
    for (let i = 0; i < n; i++) this.listFailures.push(failure);
  }

  /** Answers every create request held by 'hold' (201, as usual); resolves with how many. */
  releaseHeld(): number {
    const answers = this.held.splice(0);
    for (const answer of answers) answer();
    return answers.length;
  }

  /** The next `n` requests to delete a message fail this way. */
  failNextDelete(n: number, failure: FakeDeleteFailure): void {
    for (let i = 0; i < n; i++) this.deleteFailures.push(failure);
  }

  /** The messages the fake holds (and so has sent on), whether or not their sender got the answer; not those deleted since. */
  get messages(): FakeTwilioRequest[] {
    return this.requests.filter((r) => r.sid !== undefined && !this.deleted.has(r.sid));
  }

  /** The ids of the messages deleted through the API (a 204), in the order they were deleted. */
  get deletedSids(): string[] {
    return this.deleteRequests.filter((d) => d.outcome === 204).map((d) => d.sid);
  }

  requestsFor(body: string | RegExp): FakeTwilioRequest[] {
    return this.requests.filter((r) => (typeof body === 'string' ? r.body === body : body.test(r.body)));
  }

  async waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > until) throw new Error(`fake Twilio: condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** A delivery status callback for an accepted message, to the StatusCallback it was given. */
  async sendStatus(request: FakeTwilioRequest, status: string, extra: Record<string, string> = {}): Promise<SignedPostResult> {
    if (!request.statusCallback) throw new Error('fake Twilio: this message has no StatusCallback');
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      MessageSid: request.sid ?? extra.MessageSid,
      SmsSid: request.sid ?? extra.MessageSid,
      MessageStatus: status,
      SmsStatus: status,
      To: request.to,
      From: request.from ?? '',
      ApiVersion: '2010-04-01',
      ...extra,
    };
    return this.post(request.statusCallback, params);
  }

  /** An inbound SMS to the app's /webhooks/twilio/sms. */
  async sendInbound(sms: { from: string; body: string; to?: string; messageSid?: string }): Promise<SignedPostResult> {
    const sid = sms.messageSid ?? 'SM' + randomBytes(16).toString('hex');
    this.inboundSids.add(sid);
    return this.post(`${this.requireApp().publicBaseUrl}/webhooks/twilio/sms`, {
      ToCountry: 'SE',
      SmsMessageSid: sid,
      NumMedia: '0',
      SmsSid: sid,
      SmsStatus: 'received',
      Body: sms.body,
      To: sms.to ?? '+46700000001',
      NumSegments: '1',
      MessageSid: sid,
      AccountSid: this.accountSid,
      From: sms.from,
      ApiVersion: '2010-04-01',
    });
  }

  /**
   * POSTs form parameters to a public URL of the app (rewritten to where it really listens), signed
   * the way Twilio signs: `getExpectedTwilioSignature(authToken, publicUrl, params)`. `signature`
   * overrides the header (null: none) for tests of forged requests.
   */
  async post(publicUrl: string, params: Record<string, string>, options: { signature?: string | null; authToken?: string } = {}): Promise<SignedPostResult> {
    const app = this.requireApp();
    const signature =
      options.signature === undefined ? twilio.getExpectedTwilioSignature(options.authToken ?? this.authToken, publicUrl, params) : options.signature;
    const target = publicUrl.startsWith(app.publicBaseUrl) ? app.baseUrl + publicUrl.slice(app.publicBaseUrl.length) : publicUrl;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TwilioProxy/1.1' };
    if (signature !== null) headers['x-twilio-signature'] = signature;
    const res = await fetch(target, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  private requireApp() {
    if (!this.app) throw new Error('fake Twilio: call connect({ baseUrl, publicBaseUrl }) first');
    return this.app;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const at = this.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
      if (match && req.method === 'GET') return this.list(req, res, match[1], url.searchParams, at);
      const one = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/.exec(url.pathname);
      if (one && req.method === 'DELETE') return this.remove(req, res, one[1], one[2], at);
      if (req.method !== 'POST' || !match) {
        return json(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const request: FakeTwilioRequest = {
        accountSid: match[1],
        authorized: this.authorized(req, match[1]),
        to: form.get('To') ?? '',
        from: form.get('From') ?? undefined,
        messagingServiceSid: form.get('MessagingServiceSid') ?? undefined,
        body: form.get('Body') ?? '',
        statusCallback: form.get('StatusCallback') ?? undefined,
        at,
        outcome: 201,
      };
      this.requests.push(request);
      if (!request.authorized) {
        request.outcome = 401;
        return unauthorized(res);
      }
      const failure = this.failures.shift();
      switch (failure) {
        case 'timeout':
          request.outcome = 'timeout';
          return; // never answered; the socket is destroyed on stop()
        case 'reset':
          request.outcome = 'reset';
          req.socket.destroy();
          return;
        case 429:
          request.outcome = 429;
          if (this.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(this.retryAfterSeconds));
          return json(res, 429, { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 });
        case 500:
          request.outcome = 500;
          return json(res, 500, { code: 20500, message: 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 });
        case 'permanent':
          request.outcome = 400;
          return json(res, 400, {
            code: 21211,
            message: `The 'To' number ${request.to} is not a valid phone number.`,
            more_info: 'https://www.twilio.com/docs/errors/21211',
            status: 400,
          });
      }
      if (!request.to || !request.body || (!request.from && !request.messagingServiceSid)) {
        request.outcome = 400;
        return json(res, 400, { code: 21604, message: "A 'To' phone number, a 'From' or 'MessagingServiceSid', and a 'Body' are required.", status: 400 });
      }
      request.sid = 'SM' + randomBytes(16).toString('hex');
      request.sentAt = new Date();
      if (failure === 'accept-then-hang') {
        request.outcome = 'accepted-unanswered';
        return; // stored and listed, never answered; the socket is destroyed on stop()
      }
      // As Twilio answers a create: taken, not sent on yet.
      const answer = () => {
        json(res, 201, { ...this.resource(request), date_sent: null, status: request.messagingServiceSid ? 'accepted' : 'queued' });
        this.onAccepted?.(request);
      };
      if (failure === 'hold') this.held.push(answer);
      else answer();
    });
  }

  private authorized(req: http.IncomingMessage, accountSid: string): boolean {
    const expectedAuth = 'Basic ' + Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64');
    return req.headers.authorization === expectedAuth && accountSid === this.accountSid;
  }

  /** DELETE of one Message resource: 204 with no body, as Twilio answers; 404 for a message it does not hold. */
  private remove(req: http.IncomingMessage, res: http.ServerResponse, accountSid: string, sid: string, at: number): void {
    const request: FakeTwilioDeleteRequest = { authorized: this.authorized(req, accountSid), sid, at, outcome: 204 };
    this.deleteRequests.push(request);
    if (!request.authorized) {
      request.outcome = 401;
      return unauthorized(res);
    }
    const held = !this.deleted.has(sid) && (this.inboundSids.has(sid) || this.requests.some((r) => r.sid === sid));
    if (!held) {
      request.outcome = 404;
      return json(res, 404, {
        code: 20404,
        message: `The requested resource /2010-04-01/Accounts/${accountSid}/Messages/${sid}.json was not found`,
        status: 404,
      });
    }
    const failure = this.deleteFailures.shift();
    if (failure === 500) {
      request.outcome = 500;
      return json(res, 500, { code: 20500, message: 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 });
    }
    if (failure === 'in-progress') {
      request.outcome = 409;
      return json(res, 409, {
        code: 20009,
        message: 'Cannot delete this resource before it is complete',
        more_info: 'https://www.twilio.com/docs/errors/20009',
        status: 409,
      });
    }
    this.deleted.add(sid);
    res.writeHead(204);
    res.end();
  }

  /**
   * GET Messages.json with the filters the SDK sends for `messages.list({ to, dateSentAfter })`:
   * `To` and `DateSent>` (ISO 8601, `YYYY-MM-DDTHH:mm:ssZ`), newest first, one page of `PageSize`.
   */
  private list(req: http.IncomingMessage, res: http.ServerResponse, accountSid: string, query: URLSearchParams, at: number): void {
    const request: FakeTwilioListRequest = {
      authorized: this.authorized(req, accountSid),
      to: query.get('To') ?? undefined,
      dateSentAfter: query.get('DateSent>') ?? undefined,
      at,
      outcome: 200,
    };
    this.listRequests.push(request);
    if (!request.authorized) {
      request.outcome = 401;
      return unauthorized(res);
    }
    const failure = this.listFailures.shift();
    if (failure === 'timeout') {
      request.outcome = 'timeout';
      return;
    }
    if (failure === 500) {
      request.outcome = 500;
      return json(res, 500, { code: 20500, message: 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 });
    }
    const after = request.dateSentAfter === undefined ? undefined : Date.parse(request.dateSentAfter);
    if (after !== undefined && Number.isNaN(after)) {
      request.outcome = 400;
      return json(res, 400, { code: 20001, message: 'Invalid date value.', status: 400 });
    }
    const pageSize = Math.min(1000, Math.max(1, Number(query.get('PageSize') ?? 50) || 50));
    const found = this.messages
      .filter((m) => (request.to === undefined || m.to === request.to) && (after === undefined || m.sentAt!.getTime() >= after))
      .sort((a, b) => b.sentAt!.getTime() - a.sentAt!.getTime())
      .slice(0, pageSize);
    const uri = `/2010-04-01/Accounts/${this.accountSid}/Messages.json?${query.toString()}`;
    json(res, 200, {
      messages: found.map((m) => this.resource(m)),
      end: Math.max(0, found.length - 1),
      first_page_uri: uri,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri,
    });
  }

  /** A stored message the way Twilio shows it, sent on when it was taken. */
  private resource(m: FakeTwilioRequest): Record<string, unknown> {
    const sent = m.sentAt!.toUTCString();
    return {
      account_sid: this.accountSid,
      api_version: '2010-04-01',
      body: m.body,
      date_created: sent,
      date_sent: sent,
      date_updated: sent,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: m.from ?? null,
      messaging_service_sid: m.messagingServiceSid ?? null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: 'sent',
      subresource_uris: { media: `/2010-04-01/Accounts/${this.accountSid}/Messages/${m.sid}/Media.json` },
      to: m.to,
      uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${m.sid}.json`,
    };
  }
}

function unauthorized(res: http.ServerResponse): void {
  json(res, 401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
}

function json(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

import { describe, expect, it } from '@jest/globals';
import twilio from 'twilio';
import { toSmsSendError } from './twilio-errors.js';

const rest = (statusCode: number, body: object) => new twilio.RestException({ statusCode, body: JSON.stringify(body) });

describe('toSmsSendError', () => {
  it('treats the permanent Twilio codes as permanent, whatever the HTTP status', () => {
    for (const code of [21211, 21610, 21614, 30003, 30005, 30006, 30007]) {
      const e = toSmsSendError(rest(400, { code, message: 'x', status: 400 }));
      expect({ code: e.code, permanent: e.permanent, status: e.status }).toEqual({ code: String(code), permanent: true, status: 400 });
    }
  });

  it('treats other 4xx answers as permanent, except 429', () => {
    expect(toSmsSendError(rest(401, { code: 20003, message: 'Authenticate', status: 401 })).permanent).toBe(true);
    expect(toSmsSendError(rest(404, { code: 20404, status: 404 })).permanent).toBe(true);
    const limited = toSmsSendError(rest(429, { code: 20429, message: 'Too Many Requests', status: 429 }));
    expect(limited.permanent).toBe(false);
    expect(limited.status).toBe(429);
  });

  it('treats 5xx as temporary, with or without a JSON body', () => {
    expect(toSmsSendError(rest(500, { code: 20500, status: 500 })).permanent).toBe(false);
    const bare = toSmsSendError(new twilio.RestException({ statusCode: 503, body: 'Service Unavailable' }));
    expect({ permanent: bare.permanent, code: bare.code }).toEqual({ permanent: false, code: 'http_503' });
  });

  it('treats timeouts and network errors as temporary', () => {
    for (const code of ['ECONNABORTED', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'ERR_NETWORK']) {
      const e = toSmsSendError(Object.assign(new Error('boom'), { code, isAxiosError: true }));
      expect({ code: e.code, permanent: e.permanent }).toEqual({ code, permanent: false });
    }
  });

  it('treats a mistake in calling the SDK as permanent, and never keeps the provider message', () => {
    expect(toSmsSendError(new TypeError('Required parameter "params.to" missing.')).permanent).toBe(true);
    const e = toSmsSendError(rest(400, { code: 21211, message: "The 'To' number +46701234567 is not a valid phone number.", status: 400 }));
    expect(e.message).not.toContain('+46');
  });
});

import { describe, expect, it } from '@jest/globals';
import { requestLogLevel } from './logging.module.js';

const ok = { statusCode: 202 };

describe('requestLogLevel', () => {
  it('logs a machine request that succeeded at debug: panels and delivery reports come all day', () => {
    expect(requestLogLevel({ method: 'POST', url: '/api/panels/4b1c0e52-2f6c-4c1e-9a57-0b2f3c5d6e7f/events' }, ok)).toBe('debug');
    expect(requestLogLevel({ method: 'POST', url: '/api/panels/p1/events' }, { statusCode: 200 })).toBe('debug');
    expect(requestLogLevel({ method: 'POST', url: '/webhooks/twilio/status?messageId=x' }, { statusCode: 204 })).toBe('debug');
  });

  it('keeps refused and failed machine requests visible', () => {
    expect(requestLogLevel({ method: 'POST', url: '/api/panels/p1/events' }, { statusCode: 401 })).toBe('warn');
    expect(requestLogLevel({ method: 'POST', url: '/webhooks/twilio/sms' }, { statusCode: 403 })).toBe('warn');
    expect(requestLogLevel({ method: 'POST', url: '/api/panels/p1/events' }, { statusCode: 500 })).toBe('error');
    expect(requestLogLevel({ method: 'POST', url: '/api/panels/p1/events' }, ok, new Error('boom'))).toBe('error');
  });

  it('logs people’s requests at info, including routes that only look like a machine route', () => {
    expect(requestLogLevel({ method: 'GET', url: '/api/alarms' }, { statusCode: 200 })).toBe('info');
    expect(requestLogLevel({ method: 'GET', url: '/api/panels/p1/events' }, { statusCode: 200 })).toBe('info');
    expect(requestLogLevel({ method: 'POST', url: '/api/panels/p1/events/extra' }, { statusCode: 404 })).toBe('warn');
    expect(requestLogLevel({ method: 'POST', url: '/api/customers' }, { statusCode: 201 })).toBe('info');
    // Someone texting the central (often a reply code) is a person.
    expect(requestLogLevel({ method: 'POST', url: '/webhooks/twilio/sms' }, { statusCode: 200 })).toBe('info');
  });
});

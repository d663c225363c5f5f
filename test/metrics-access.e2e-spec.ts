// /metrics is public by default (docs/api-contract.md#operations); METRICS_TOKEN restricts it to a scraper with the token,
// and METRICS_PORT moves it off the port the world reaches onto a listener of its own.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsListener } from '../src/metrics/metrics-listener.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const TOKEN = 'scraper-token-0123456789';

const scrape = (url: string, authorization?: string) =>
  fetch(url, { headers: authorization ? { authorization } : {} }).then(async (r) => ({
    status: r.status,
    type: r.headers.get('content-type'),
    text: await r.text(),
  }));

describe('/metrics', () => {
  describe('by default', () => {
    let t: TestApp;
    beforeAll(async () => (t = await createTestApp()));
    afterAll(async () => t?.close());

    it('is public on PORT, and no second listener is opened', async () => {
      const res = await scrape(`${t.baseUrl}/metrics`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('keyholder_db_connections_in_use');
      expect(t.app.get(MetricsListener).port).toBeUndefined();
    });
  });

  describe('with METRICS_TOKEN', () => {
    let t: TestApp;
    beforeAll(async () => (t = await createTestApp({ METRICS_TOKEN: TOKEN })));
    afterAll(async () => t?.close());

    it('answers 401 without the token or with another, and the series with it', async () => {
      for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, `Basic ${TOKEN}`]) {
        const res = await scrape(`${t.baseUrl}/metrics`, authorization);
        expect({ authorization, status: res.status }).toEqual({ authorization, status: 401 });
        expect(JSON.parse(res.text)).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/METRICS_TOKEN/) });
        expect(res.text).not.toContain(TOKEN);
      }
      const res = await scrape(`${t.baseUrl}/metrics`, `Bearer ${TOKEN}`);
      expect(res.status).toBe(200);
      expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.text).toContain('keyholder_http_request_duration_seconds');
      // The rest of the API is as it was: /health stays public.
      expect((await t.request('GET', '/health')).status).toBe(200);
    });
  });

  describe('with METRICS_PORT', () => {
    let t: TestApp;
    let metricsUrl: string;
    beforeAll(async () => {
      t = await createTestApp({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', METRICS_TOKEN: TOKEN });
      metricsUrl = `http://127.0.0.1:${t.app.get(MetricsListener).port}`;
    });
    afterAll(async () => t?.close());

    it('serves /metrics on its own port only, with the same series, and PORT answers 404 for it', async () => {
      const onPort = await scrape(`${t.baseUrl}/metrics`, `Bearer ${TOKEN}`);
      expect(onPort.status).toBe(404);
      expect(JSON.parse(onPort.text)).toMatchObject({ statusCode: 404, error: 'Not Found' });
      expect(onPort.text).not.toMatch(/keyholder_/);

      // A request on PORT is counted, and shows on the metrics port.
      expect((await t.request('GET', '/health')).status).toBe(200);
      const res = await scrape(`${metricsUrl}/metrics`, `Bearer ${TOKEN}`);
      expect(res.status).toBe(200);
      expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.text).toMatch(/keyholder_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} [1-9]/);
      expect(res.text).toContain('keyholder_db_connections_in_use');
      expect(res.text).toContain('keyholder_dc09_frames_total');
    });

    it('still wants the token there, and serves nothing else', async () => {
      for (const authorization of [undefined, 'Bearer wrong-token']) {
        const res = await scrape(`${metricsUrl}/metrics`, authorization);
        expect(res.status).toBe(401);
        expect(JSON.parse(res.text)).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
      for (const path of ['/', '/health', '/api/customers', '/metrics/x']) {
        const res = await scrape(`${metricsUrl}${path}`, `Bearer ${TOKEN}`);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
      expect((await fetch(`${metricsUrl}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    });
  });

  it('closes the metrics listener when the app shuts down, even with a scraper connected', async () => {
    const t = await createTestApp({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
    const url = `http://127.0.0.1:${t.app.get(MetricsListener).port}/metrics`;
    // fetch keeps this connection open for the next scrape.
    expect((await scrape(url)).status).toBe(200);
    await t.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});

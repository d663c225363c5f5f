// The fake Twilio API of the panel benchmarks (bench/panel-*.ts), on its own thread (the real
// provider is on another machine): reports every accepted message as [to, time] pairs, the time as
// performance.timeOrigin + performance.now(), so it compares with the load generator's clock.
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { FakeTwilio } from '../test/support/fake-twilio.js';

const fake = await new FakeTwilio().start();
let batch: Array<[string, number]> = [];
fake.onAccepted = (request) => {
  batch.push([request.to, performance.timeOrigin + request.at]);
  fake.requests.length = 0; // keep memory flat over tens of thousands of messages
};
setInterval(() => {
  if (!batch.length) return;
  parentPort!.postMessage({ accepted: batch });
  batch = [];
}, 2).unref();
parentPort!.postMessage({ ready: { url: fake.url, accountSid: fake.accountSid, authToken: fake.authToken } });
parentPort!.on('message', (m: { stop?: boolean }) => {
  if (m.stop) void fake.stop().then(() => process.exit(0));
});

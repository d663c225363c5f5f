// The fake Twilio API of the benchmarks, on its own thread (as the real provider is on another
// machine): it reports every accepted message as [key, time] pairs, the key being the message's `to`
// or `body` (workerData.report), the time performance.timeOrigin + performance.now() so the two
// threads' clocks compare.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { FakeTwilio } from '../test/support/fake-twilio.js';

const report: 'to' | 'body' = (workerData as { report?: 'to' | 'body' } | undefined)?.report ?? 'body';
const fake = await new FakeTwilio().start();
let batch: Array<[string, number]> = [];
fake.onAccepted = (request) => {
  batch.push([request[report], performance.timeOrigin + request.at]);
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

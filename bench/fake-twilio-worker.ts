// The fake Twilio API of the benchmarks, on its own thread (as the real provider is on another
// machine): it reports every accepted message as [key, time] pairs, the key being the message's `to`
// or `body` (workerData.report), the time performance.timeOrigin + performance.now() so the two
// threads' clocks compare.
//
// workerData.full (bench:chaos): every accepted message is reported whole ({ to, body, sid, at }) as
// `messages`, and the fake keeps its request list (so whatever the fake answers from it still sees
// them). The message `{ fail: kind }` makes every request fail that way (429, 500, 'timeout', 'reset',
// as FakeTwilio.failNext) until `{ fail: null }`.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { FakeTwilio, type FakeFailure } from '../test/support/fake-twilio.js';

const options = (workerData as { report?: 'to' | 'body'; full?: boolean } | undefined) ?? {};
const report: 'to' | 'body' = options.report ?? 'body';
const full = options.full === true;
const fake = await new FakeTwilio().start();
let batch: Array<[string, number]> = [];
let messages: Array<{ to: string; body: string; sid: string; at: number }> = [];
fake.onAccepted = (request) => {
  const at = performance.timeOrigin + request.at;
  batch.push([request[report], at]);
  if (full) messages.push({ to: request.to, body: request.body, sid: request.sid ?? '', at });
  else fake.requests.length = 0; // keep memory flat over tens of thousands of messages
};
setInterval(() => {
  if (batch.length) parentPort!.postMessage({ accepted: batch });
  if (messages.length) parentPort!.postMessage({ messages });
  batch = [];
  messages = [];
}, 2).unref();

/** FakeTwilio's queue of failures to come (private there): filled while a fault lasts, emptied after. */
function failures(): FakeFailure[] {
  const queue = (fake as unknown as { failures?: FakeFailure[] }).failures;
  if (!Array.isArray(queue)) throw new Error('fake-twilio-worker: FakeTwilio has no `failures` queue any more; update the fault control');
  return queue;
}

parentPort!.postMessage({ ready: { url: fake.url, accountSid: fake.accountSid, authToken: fake.authToken } });
parentPort!.on('message', (m: { stop?: boolean; fail?: FakeFailure | null }) => {
  if (m.stop) void fake.stop().then(() => process.exit(0));
  if (m.fail !== undefined) {
    failures().length = 0;
    if (m.fail !== null) fake.failNext(1_000_000, m.fail);
  }
});

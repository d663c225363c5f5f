import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { canonicalEntry, chainHash, GENESIS, type HashedEntry } from './processing-log.hash.js';

const entry: HashedEntry = {
  seq: '42',
  at: '2025-01-31T12:00:00.123456Z',
  actor_type: 'operator',
  actor_id: '0b8f2c1e-2f7a-4c55-9d0e-3a1b2c3d4e5f',
  operation: 'customers.read',
  legal_basis: 'contract',
  purpose: 'Show a customer',
  subject_ids: ['8c4a8f0e-1111-4222-8333-944455556666'],
  outcome: 'success',
  http_status: 200,
  request_id: 'req-1',
  detail: null,
};

describe('processing log hashing', () => {
  it('renders every column, in a fixed key order, whatever order the row came in', () => {
    const shuffled = Object.fromEntries(Object.entries(entry).reverse()) as unknown as HashedEntry;
    expect(canonicalEntry(shuffled)).toBe(canonicalEntry(entry));
    expect(canonicalEntry(entry)).toBe(
      '{"actorId":"0b8f2c1e-2f7a-4c55-9d0e-3a1b2c3d4e5f","actorType":"operator","at":"2025-01-31T12:00:00.123456Z",' +
        '"httpStatus":200,"legalBasis":"contract","operation":"customers.read","outcome":"success","purpose":"Show a customer",' +
        '"requestId":"req-1","seq":"42","subjectIds":["8c4a8f0e-1111-4222-8333-944455556666"]}',
    );
  });

  it('has no detail key for an entry without one (its hash is the one sealed before entries had details), and hashes one that has it', () => {
    expect(canonicalEntry(entry)).not.toContain('detail');
    const withDetail = { ...entry, detail: '{"day": "2026-12-07", "signals": 288}' };
    expect(canonicalEntry(withDetail)).toContain(
      '"at":"2025-01-31T12:00:00.123456Z","detail":"{\\"day\\": \\"2026-12-07\\", \\"signals\\": 288}","httpStatus"',
    );
  });

  it('is sha256 over the previous hash and the canonical JSON', () => {
    const expected = createHash('sha256')
      .update(Buffer.concat([GENESIS, Buffer.from(canonicalEntry(entry), 'utf8')]))
      .digest();
    expect(chainHash(GENESIS, entry).equals(expected)).toBe(true);
    expect(GENESIS).toEqual(Buffer.alloc(32));
  });

  it.each<[string, Partial<HashedEntry>]>([
    ['seq', { seq: '43' }],
    ['at (one microsecond)', { at: '2025-01-31T12:00:00.123457Z' }],
    ['actor', { actor_id: null }],
    ['actor type', { actor_type: 'system' }],
    ['operation', { operation: 'customers.list' }],
    ['legal basis', { legal_basis: 'consent' }],
    ['purpose', { purpose: 'Show a customer ' }],
    ['a subject', { subject_ids: [] }],
    ['outcome', { outcome: 'refused' }],
    ['status', { http_status: null }],
    ['request id', { request_id: null }],
    ['detail', { detail: '{"day": "2026-12-07", "signals": 288}' }],
  ])('changes when the %s changes', (_, change) => {
    expect(chainHash(GENESIS, { ...entry, ...change }).equals(chainHash(GENESIS, entry))).toBe(false);
  });

  it('depends on the previous hash, so entries cannot be reordered or spliced', () => {
    const other = chainHash(GENESIS, { ...entry, seq: '1' });
    expect(chainHash(other, entry).equals(chainHash(GENESIS, entry))).toBe(false);
  });
});

import { describe, expect, it } from '@jest/globals';
import { subjectIdsOf } from './processing-log.interceptor.js';

const A = '8c4a8f0e-1111-4222-8333-944455556666';
const B = '0b8f2c1e-2f7a-4c55-9d0e-3a1b2c3d4e5f';
const C = 'ABCDEF01-2345-4789-8bcd-ef0123456789';

describe('subjectIdsOf', () => {
  it('takes UUIDs from route params and the ids the handler named, and nothing else from them', () => {
    expect(subjectIdsOf({ id: A, contactId: B, code: '1234' }, [C, '+46701234567', null, A], undefined)).toEqual([A, B, C.toLowerCase()]);
  });

  it('takes the id of a response body and the ids of its items', () => {
    expect(subjectIdsOf({}, [], { id: A, name: 'Anna', phone: '+46701234567' })).toEqual([A]);
    expect(subjectIdsOf({}, [], { items: [{ id: A }, { id: B }, { id: 7 }, null], total: 4 })).toEqual([A, B]);
  });

  it('ignores bodies that are not objects and ids that are not UUIDs', () => {
    expect(subjectIdsOf(undefined, undefined, 'a,b,c')).toEqual([]);
    expect(subjectIdsOf({}, [], { id: 'anna@example.com', items: 'x' })).toEqual([]);
  });
});

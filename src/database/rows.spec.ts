import { changedRows, count, firstRow, rows, type Queryable } from './rows.js';

/** Answers every statement with `answer`, as the driver would, and keeps what it was asked. */
function answering(answer: unknown): Queryable & { asked: Array<{ sql: string; params?: unknown[] }> } {
  const asked: Array<{ sql: string; params?: unknown[] }> = [];
  return {
    asked,
    query: async (sql: string, params?: unknown[]) => {
      asked.push({ sql, params });
      return answer;
    },
  } as Queryable & { asked: Array<{ sql: string; params?: unknown[] }> };
}

describe('typed rows', () => {
  it('passes the statement and its parameters through, and answers the rows', async () => {
    const db = answering([{ id: 'a' }, { id: 'b' }]);
    await expect(rows<{ id: string }>(db, 'SELECT id FROM customer WHERE name = $1', ['Anna'])).resolves.toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(db.asked).toEqual([{ sql: 'SELECT id FROM customer WHERE name = $1', params: ['Anna'] }]);
  });

  it('answers the first row, or undefined when there is none', async () => {
    await expect(firstRow(answering([{ id: 'a' }, { id: 'b' }]), 'SELECT id FROM customer')).resolves.toEqual({ id: 'a' });
    await expect(firstRow(answering([]), 'SELECT id FROM customer')).resolves.toBeUndefined();
  });

  it('counts through the column n, and refuses a statement that answers no n', async () => {
    await expect(count(answering([{ n: 3 }]), 'SELECT count(*)::int AS n FROM customer')).resolves.toBe(3);
    await expect(count(answering([{ total: 3 }]), 'SELECT count(*)::int AS total FROM customer')).rejects.toThrow('column n');
  });

  it("unwraps the driver's [rows, affected] answer to a bare DELETE ... RETURNING", async () => {
    await expect(changedRows(answering([[{ id: 'a' }], 1]), 'DELETE FROM customer RETURNING id')).resolves.toEqual([{ id: 'a' }]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ProcessingLogQueryDto, searchWindow } from './privacy.dto.js';

const problems = (query: Record<string, string>) =>
  validateSync(plainToInstance(ProcessingLogQueryDto, query)).flatMap((e) => Object.values(e.constraints ?? {}));

describe('processing log query', () => {
  it('accepts a full, valid query', () => {
    expect(problems({ subjectId: '8c4a8f0e-1111-4222-8333-944455556666', from: '2025-01-01', to: '2025-01-31T12:00:00Z', page: '2', limit: '500' })).toEqual(
      [],
    );
  });

  it('names each bad field', () => {
    expect(problems({ subjectId: 'x', from: 'yesterday', to: '2025-02-30T25:00', page: '0', limit: '501' })).toEqual(
      expect.arrayContaining([
        'subjectId must be a UUID',
        expect.stringMatching(/^from must be an ISO 8601/),
        expect.stringMatching(/^to must be an ISO 8601/),
        'page must be at least 1',
        'limit must be at most 500',
      ]),
    );
  });

  it('reads a bare date as whole UTC days, both ends inclusive', () => {
    expect(searchWindow('2025-01-01', '2025-01-31')).toEqual({
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-02-01T00:00:00Z'),
    });
    expect(searchWindow(undefined, '2025-01-31T12:00:00Z')).toEqual({ from: undefined, to: new Date('2025-01-31T12:00:00.001Z') });
  });
});

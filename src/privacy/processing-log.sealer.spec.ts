import { describe, expect, it } from '@jest/globals';
import { missingRanges } from './processing-log.sealer.js';

describe('missingRanges (seqs not visible when their neighbours were sealed)', () => {
  it('finds nothing in an unbroken run', () => {
    expect(missingRanges(10n, [11n, 12n, 13n])).toEqual([]);
    expect(missingRanges(0n, [])).toEqual([]);
  });

  it('finds holes before, between and as ranges', () => {
    expect(missingRanges(10n, [13n, 14n, 20n])).toEqual([
      [11n, 12n],
      [15n, 19n],
    ]);
    expect(missingRanges(0n, [2n])).toEqual([[1n, 1n]]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { parseCsv } from '../../test/support/csv.js';
import { ARTICLE_6 } from './processing.decorator.js';
import { csvField, ROPA_CSV_COLUMNS, ropaToCsv, SECURITY_MEASURES, type Ropa, type RopaRow } from './record-of-processing.js';

const row = (over: Partial<RopaRow>): RopaRow => ({
  operation: 'customers.create',
  purpose: 'Register a customer',
  legalBasis: 'contract',
  legalBasisArticle: ARTICLE_6.contract,
  legalBasisNote: null,
  dataSubjects: ['customers'],
  dataCategories: ['name', 'phone'],
  recipients: ['none'],
  retention: '12 months after the contract ends',
  thirdCountryTransfers: 'none',
  specialCategories: [],
  securityMeasures: SECURITY_MEASURES,
  performedBy: ['POST /api/customers'],
  ...over,
});

describe('record of processing as CSV', () => {
  it('escapes per RFC 4180: quotes fields with commas, quotes, line breaks or edge spaces', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(['a', 'b'])).toBe('a; b');
  });

  it('parses back to the same rows, whatever the text holds', () => {
    const ropa: Ropa = {
      controller: { name: 'Larm AB', orgNumber: '556000-0000', address: 'Box 1, 111 11 Stockholm', contact: 'x', dpoContact: 'y' },
      processors: [],
      generatedAt: new Date(0).toISOString(),
      retentionRules: [],
      items: [
        row({}),
        row({ operation: 'contacts.add', purpose: 'Keep "keyholders", in order;\r\nand reach them', legalBasisNote: ' note ', dataCategories: ['a,b', 'c"d'] }),
      ],
      total: 2,
    };
    const csv = ropaToCsv(ropa);
    expect(csv.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual(ROPA_CSV_COLUMNS);
    expect(rows).toHaveLength(2);
    rows.forEach((r, i) =>
      ROPA_CSV_COLUMNS.forEach((column, c) => {
        const v = ropa.items[i][column];
        expect(r[c]).toBe(Array.isArray(v) ? v.join('; ') : (v ?? '') + '');
      }),
    );
  });
});

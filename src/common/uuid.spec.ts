import { isUuid } from './uuid.js';

describe('isUuid', () => {
  it('accepts a UUID in either case', () => {
    expect(isUuid('3f2b8c1e-9d4a-4b7e-8f10-2a6c5d9e0b11')).toBe(true);
    expect(isUuid('3F2B8C1E-9D4A-4B7E-8F10-2A6C5D9E0B11')).toBe(true);
  });

  it('refuses anything else', () => {
    for (const v of ['', 'panel-1', '3f2b8c1e-9d4a-4b7e-8f10-2a6c5d9e0b1', ' 3f2b8c1e-9d4a-4b7e-8f10-2a6c5d9e0b11', 42, null, undefined]) {
      expect(isUuid(v)).toBe(false);
    }
  });
});

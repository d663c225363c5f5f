import { describe, expect, it } from '@jest/globals';
import { nameKey, nameMapProblem } from './premises.dto.js';

describe('premises names', () => {
  it('keys a number without its leading zeros, as panels send zones both ways; other keys as typed', () => {
    expect(['005', '5', '0', '000', '010', 'A5', 'kitchen', '05b'].map(nameKey)).toEqual(['5', '5', '0', '0', '10', 'A5', 'kitchen', '05b']);
  });

  it('finds nothing wrong with a good map, and names the problem otherwise', () => {
    expect(nameMapProblem('zones', { '5': 'Cellar PIR', kitchen: 'Kitchen smoke' })).toBeUndefined();
    expect(nameMapProblem('zones', {})).toBeUndefined();
    expect(nameMapProblem('zones', null)).toMatch(/^zones must be an object of names/);
    expect(nameMapProblem('users', { 'a b': 'Erik' })).toBe('users: "a b" must be 1 to 16 characters without spaces');
    expect(nameMapProblem('zones', { '007': 'Hall', '7': 'Hall' })).toMatch(/are the same number$/);
  });
});

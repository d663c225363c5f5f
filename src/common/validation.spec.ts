import { describe, expect, it } from '@jest/globals';
import type { ValidationError } from 'class-validator';
import { oneLinePerField } from './validation.js';

const error = (property: string, constraints?: Record<string, string>, children: ValidationError[] = []): ValidationError => ({
  property,
  constraints,
  children,
});

describe('oneLinePerField', () => {
  it('gives each failing field one line, the kind of value first, then the rules as written', () => {
    // As class-validator lists stacked decorators: bottom-up.
    const lines = oneLinePerField([
      error('label', { maxLength: 'label must be at most 100 characters', singleLine: 'label must be a single line', isString: 'label must be a string' }),
      error('priority', { max: 'priority must be at most 10', isInt: 'priority must be a whole number' }),
    ]);
    expect(lines).toEqual([
      'label must be a string; label must be a single line; label must be at most 100 characters',
      'priority must be a whole number; priority must be at most 10',
    ]);
  });

  it('names nested fields by their path, and leaves out class-validator’s own nested-object message when the DTO has one', () => {
    const lines = oneLinePerField([
      error('alarmAddress', {
        nestedValidation: 'nested property alarmAddress must be either object or array',
        isAddress: 'alarmAddress must be an object with street',
      }),
      error('postalAddress', undefined, [error('street', { isString: 'street must be a string' }), error('city', { isString: 'city must be a string' })]),
    ]);
    expect(lines).toEqual(['alarmAddress must be an object with street', 'postalAddress.street must be a string', 'postalAddress.city must be a string']);
  });
});

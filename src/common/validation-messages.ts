import { BadRequestException } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/** Rules about what kind of value a field is: said first, since the other rules follow from them. */
const KIND_RULES = new Set(['isDefined', 'isNotEmpty', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isObject', 'isArray', 'isUUID']);

/**
 * API.md: for validation, `message` is "an array with one readable line per failing field". A
 * field can break several rules at once (not a string, and too long), and class-validator gives one
 * message per rule, so a field's messages are joined into its one line, the kind of value first
 * ("must be a string; must be at most 100 characters"). A nested field is named by its path
 * (`alarmAddress.street`), as NestJS does. class-validator's own "nested property ... must be either
 * object or array" is left out when the DTO says it in its own words.
 */
export function oneLinePerField(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    // class-validator runs (and lists) stacked decorators bottom-up: reversed, they read as written.
    let rules = Object.entries(e.constraints ?? {}).reverse();
    if (rules.length > 1) rules = rules.filter(([rule]) => rule !== 'nestedValidation');
    rules.sort(([a], [b]) => Number(KIND_RULES.has(b)) - Number(KIND_RULES.has(a)));
    const messages = [...new Set(rules.map(([, m]) => (parent ? `${parent}.${m}` : m)))];
    return [...(messages.length ? [messages.join('; ')] : []), ...oneLinePerField(e.children ?? [], path)];
  });
}

export const validationException = (errors: ValidationError[]) => new BadRequestException(oneLinePerField(errors));

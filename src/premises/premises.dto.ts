import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { SingleLine } from '../common/text-field.js';

/** Control and format characters except the line breaks and tabs a note may hold (bidi overrides among them). */
const HIDDEN_IN_TEXT = /[\p{Cf}\p{Cs}\p{Zl}\p{Zp}]|(?![\n\r\t])\p{Cc}/u;
const HIDDEN_IN_LINE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

export const MAX_NAMES = 256;
export const MAX_KEY = 16;
export const MAX_NAME = 100;

/** A panel sends zone 5 as "005" or "5": names are kept under the number without leading zeros. */
export function nameKey(key: string): string {
  return /^\d+$/.test(key) ? key.replace(/^0+(?=\d)/, '') : key;
}

/** Several lines of plain text (notes an operator reads out or acts on), trimmed and bounded. */
function PlainText(max: number) {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsOptional(),
    IsString({ message: ({ property }) => `${property} must be a string` }),
    ValidateBy({
      name: 'isPlainText',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !HIDDEN_IN_TEXT.test(value),
        defaultMessage: (args) => `${args?.property} must not contain control or formatting characters`,
      },
    }),
    MaxLength(max, { message: ({ property }) => `${property} must be at most ${max} characters` }),
  );
}

/** What is wrong with a `{ "<zone or user>": "<name>" }` map, or undefined when nothing is. */
export function nameMapProblem(property: string, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${property} must be an object of names, e.g. { "5": "Cellar PIR" }`;
  const entries = Object.entries(value);
  if (entries.length > MAX_NAMES) return `${property} must have at most ${MAX_NAMES} names`;
  const seen = new Map<string, string>();
  for (const [key, name] of entries) {
    if (key.length < 1 || key.length > MAX_KEY || /\s/.test(key) || HIDDEN_IN_LINE.test(key)) {
      return `${property}: "${key.slice(0, 20)}" must be 1 to ${MAX_KEY} characters without spaces`;
    }
    const same = seen.get(nameKey(key));
    if (same !== undefined) return `${property}: "${same}" and "${key}" are the same number`;
    seen.set(nameKey(key), key);
    if (typeof name !== 'string') return `${property}.${key} must be a string`;
    const trimmed = name.trim();
    if (!trimmed) return `${property}.${key} must not be blank`;
    if (HIDDEN_IN_LINE.test(trimmed)) return `${property}.${key} must be a single line without control, formatting or line separator characters`;
    if (trimmed.length > MAX_NAME) return `${property}.${key} must be at most ${MAX_NAME} characters`;
  }
  return undefined;
}

function NameMap() {
  return applyDecorators(
    IsOptional(),
    ValidateBy({
      name: 'isNameMap',
      validator: {
        validate: (value: unknown, args) => nameMapProblem(args?.property ?? '', value) === undefined,
        defaultMessage: (args) => nameMapProblem(args?.property ?? '', args?.value) ?? '',
      },
    }),
  );
}

/**
 * PUT /api/customers/:id/premises. The fields given are written and the rest kept, since the secrets
 * come back masked and a form cannot send them back unchanged; null clears a field. `zones` and
 * `users`, when given, replace the whole map.
 */
export class PutPremisesDto {
  @ApiPropertyOptional({ maxLength: 2000, nullable: true, example: 'Alarm panel in the hall closet. Cellar door sticks.' })
  @PlainText(2000)
  notes?: string | null;

  @ApiPropertyOptional({
    maxLength: 1000,
    nullable: true,
    description: 'key box, door codes, where the key is: stored encrypted, shown masked',
    example: 'Key box by the garage, code 4711',
  })
  @PlainText(1000)
  access?: string | null;

  @ApiPropertyOptional({ maxLength: 100, nullable: true, description: 'the verbal password a keyholder gives on the phone: stored encrypted, shown masked' })
  @IsOptional()
  @SingleLine(100)
  password?: string | null;

  @ApiPropertyOptional({ maxLength: 100, nullable: true, description: 'the word a keyholder says when forced to talk: stored encrypted, shown masked' })
  @IsOptional()
  @SingleLine(100)
  duressWord?: string | null;

  @ApiPropertyOptional({ maxLength: 500, nullable: true, example: 'Large dog (friendly), two cats' })
  @PlainText(500)
  animals?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: MAX_NAME },
    description: `zone (1-${MAX_KEY} characters) to name, at most ${MAX_NAMES}; "005" and "5" are the same zone`,
    example: { '5': 'Cellar PIR' },
  })
  @NameMap()
  zones?: Record<string, string> | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: MAX_NAME },
    description: `panel user (1-${MAX_KEY} characters) to name, at most ${MAX_NAMES}`,
    example: { '2': 'Erik (son)' },
  })
  @NameMap()
  users?: Record<string, string> | null;
}

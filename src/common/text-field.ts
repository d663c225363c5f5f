import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, ValidateIf } from 'class-validator';

/**
 * A single line of text from an operator: trimmed, not blank, bounded, and without control
 * characters (names and addresses go into SMS texts, where a stray newline changes the message).
 */
export function SingleLine(max: number) {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsString({ message: ({ property }) => `${property} must be a string` }),
    Matches(/\S/, { message: ({ property }) => `${property} must not be blank` }),
    Matches(/^[^\p{Cc}]*$/u, { message: ({ property }) => `${property} must be a single line without control characters` }),
    MaxLength(max, { message: ({ property }) => `${property} must be at most ${max} characters` }),
  );
}

/** For PATCH bodies: the field may be left out, but not set to null (it is required on the record). */
export const OptionalNotNull = () => ValidateIf((_, value) => value !== undefined);

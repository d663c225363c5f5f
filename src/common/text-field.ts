import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, ValidateBy, ValidateIf } from 'class-validator';

/**
 * Characters that change how a text reads without being seen as text: control characters, line and
 * paragraph separators (a phone breaks the line there) and format characters, among them the bidi
 * overrides and isolates (U+202A-202E, U+2066-2069), the marks U+200E/200F/061C and zero-width ones,
 * with which "moc.live" can be shown as "evil.com".
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** Full stops a phone may read as the dot of a web address: ASCII, ideographic, fullwidth and halfwidth. */
const DOT = '[.\u3002\uFF0E\uFF61]';

/**
 * A host name as phones find it in a text: labels joined by dots, the last all letters, 2 to 24 of
 * them, which covers every top-level domain without a list that would miss next year's. Digits-only
 * endings ("1.5") are not hosts. Global, for `replace`: `test` takes a copy without the flag.
 */
export const HOST_LIKE = new RegExp(`(?<![\\p{L}\\p{N}_-])[\\p{L}\\p{N}_-]+(?:${DOT}[\\p{L}\\p{N}_-]+)*${DOT}\\p{L}{2,24}(?![\\p{L}\\p{N}_-])`, 'gu');
/** A scheme with its slashes (`https://`, `ftp://`): a phone links whatever follows. */
export const URL_SCHEME = /[a-z][a-z0-9+.-]*:\/\//giu;

/** True when a text has a web address a phone would turn into a link (`://`, `www.`, or a host name). */
export function hasWebAddress(text: string): boolean {
  return text.includes('://') || new RegExp(`(?<![\\p{L}\\p{N}])www${DOT}`, 'iu').test(text) || new RegExp(HOST_LIKE.source, 'u').test(text);
}

/**
 * One line of plain text from a device that must not be refused for it (a panel's zone or text):
 * every control, format and separator character becomes a space. Nothing else changes, so what
 * the panel sent stays recognisable.
 */
export function singleLine(text: string): string {
  return text.replace(new RegExp(INVISIBLE.source, 'gu'), ' ');
}

/**
 * A single line of text from an operator: trimmed, not blank, bounded, and without control, format
 * or separator characters (names and addresses go into SMS texts, where a stray newline or a bidi
 * override changes what the recipient reads).
 */
export function SingleLine(max: number) {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsString({ message: ({ property }) => `${property} must be a string` }),
    Matches(/\S/, { message: ({ property }) => `${property} must not be blank` }),
    ValidateBy({
      name: 'isSingleLine',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !INVISIBLE.test(value),
        defaultMessage: (args) => `${args?.property} must be a single line without control, formatting or line separator characters`,
      },
    }),
    MaxLength(max, { message: ({ property }) => `${property} must be at most ${max} characters` }),
  );
}

/**
 * A person's name, which is put in SMS texts to other people: a web address in it would reach them
 * as a link that seems to come from us.
 */
export function NoWebAddress() {
  return ValidateBy({
    name: 'noWebAddress',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !hasWebAddress(value),
      defaultMessage: (args) => `${args?.property} must not contain a web address`,
    },
  });
}

/** For PATCH bodies: the field may be left out, but not set to null (it is required on the record). */
export const OptionalNotNull = () => ValidateIf((_, value) => value !== undefined);

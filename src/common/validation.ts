import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/** Rules about what kind of value a field is: said first, since the other rules follow from them. */
const KIND_RULES = new Set(['isDefined', 'isNotEmpty', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isObject', 'isArray', 'isUUID']);

/**
 * For validation, `message` is an array with one readable line per failing field
 * (docs/api-contract.md#errors). A field can break several rules at once (not a string, and too
 * long), and class-validator gives one message per rule, so a field's messages are joined into its
 * one line, the kind of value first ("must be a string; must be at most 100 characters"). A nested
 * field is named by its path (`alarmAddress.street`), as NestJS does. class-validator's own "nested
 * property ... must be either object or array" is left out when the DTO says it in its own words.
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

const UNKNOWN_FIELDS_ACCEPTED = Symbol('unknownFieldsAccepted');

/**
 * For a body sent by a machine we do not control (a panel's signal): fields this version does not
 * know are dropped instead of refused. A panel whose firmware starts sending one more field must
 * not have every alarm refused for it (docs/alarm-handling.md#no-signal-dropped). People's bodies
 * stay strict, so a mistyped field name is said, not silently ignored.
 */
export const UnknownFieldsAccepted = (): ClassDecorator => (target) => {
  Object.defineProperty(target, UNKNOWN_FIELDS_ACCEPTED, { value: true });
};

/** The app's one validation pipe: strict about unknown fields unless the DTO says otherwise. */
export class AppValidationPipe extends ValidationPipe {
  private readonly lenient = new ValidationPipe({ whitelist: true, transform: true, exceptionFactory: validationException });

  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: validationException });
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const lenient = typeof metadata.metatype === 'function' && UNKNOWN_FIELDS_ACCEPTED in metadata.metatype;
    return lenient ? this.lenient.transform(value, metadata) : super.transform(value, metadata);
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { isISO8601, IsOptional, IsString, Length, MaxLength, ValidateBy } from 'class-validator';
import { singleLine } from '../common/text-field.js';
import { UnknownFieldsAccepted } from '../common/validation.js';
import { EVENT_CLASSES } from '../alarm-model/event-classification.js';

/**
 * A panel's free text is made one line rather than refused: a refused event is a lost alarm. It may
 * reach an SMS (the zone does), where a line break or a bidi override would change the message.
 */
const optionalText = (field: string, max: number) => [
  Transform(({ value }) => (typeof value === 'string' ? singleLine(value) : value)),
  IsOptional(),
  IsString({ message: `${field} must be a string` }),
  MaxLength(max, { message: `${field} must be at most ${max} characters` }),
];

const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) =>
    decorators.forEach((d) => d(target, key));

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A date and time with its offset: a time without one would be read in whatever zone the server is in. */
function isTimeWithOffset(value: unknown): boolean {
  return typeof value === 'string' && WITH_OFFSET.test(value) && isISO8601(value, { strict: true }) && !Number.isNaN(Date.parse(value));
}

/**
 * A panel's signal (docs/api-contract.md#panel-events). Codes are never refused for being unknown
 * (docs/alarm-handling.md#no-signal-dropped): any 1-128 characters, as generous as the event id,
 * so a panel's longer or odd code (a vendor extension, a code with modifiers) is stored as
 * `unknown` rather than refused for good. Fields the contract does not name are dropped, not
 * refused.
 */
@UnknownFieldsAccepted()
export class PanelEventDto {
  @ApiProperty({ example: 'p-000123', minLength: 1, maxLength: 128, description: 'unique per panel; a repeat is a duplicate' })
  @IsString({ message: 'eventId must be a string' })
  @Length(1, 128, { message: 'eventId must be 1 to 128 characters' })
  eventId: string;

  @ApiProperty({
    example: 'BA',
    maxLength: 128,
    description: 'SIA code (BA, FA, OP, ...) or Contact ID qualifier + event (1130, 3401); any other code is stored as class unknown',
  })
  @IsString({ message: 'code must be a string' })
  @Length(1, 128, { message: 'code must be 1 to 128 characters' })
  code: string;

  @ApiPropertyOptional({ example: '3', maxLength: 32 })
  @apply(optionalText('zone', 32))
  zone?: string | null;

  @ApiPropertyOptional({ example: '2', maxLength: 32, description: 'the panel user (number or name) who armed or disarmed' })
  @apply(optionalText('user', 32))
  user?: string | null;

  @ApiPropertyOptional({ example: 'keypad', maxLength: 32, description: 'how: keypad, app, tag, remote, ...' })
  @apply(optionalText('method', 32))
  method?: string | null;

  @ApiPropertyOptional({ example: 'Hall PIR', maxLength: 200 })
  @apply(optionalText('text', 200))
  text?: string | null;

  @ApiProperty({ example: '2026-11-22T10:15:00+01:00', description: 'ISO-8601 with offset (or Z)' })
  @ValidateBy({
    name: 'isTimeWithOffset',
    validator: { validate: isTimeWithOffset, defaultMessage: () => 'occurredAt must be an ISO-8601 time with an offset, e.g. 2026-11-22T10:15:00+01:00' },
  })
  occurredAt: string;
}

export class PanelEventAnswer {
  @ApiProperty({ example: 'p-000123' })
  eventId: string;

  @ApiProperty({ enum: ['accepted', 'duplicate'] })
  status: 'accepted' | 'duplicate';

  @ApiProperty({ enum: EVENT_CLASSES })
  class: string;

  @ApiProperty()
  restore: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: 'the alarm the event opened, joined or (a restore) was attached to' })
  alarmId?: string;
}

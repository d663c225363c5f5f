import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateBy } from 'class-validator';
import { PageQuery } from '../common/page-query.js';
import { REQUEST_KINDS, REQUEST_STATUSES, type RequestKind, type RequestStatus, type SubjectType } from './privacy-requests.repository.js';

/** Control and format characters except the line breaks and tabs a note may hold (bidi overrides among them). */
const HIDDEN_IN_TEXT = /[\p{Cf}\p{Cs}\p{Zl}\p{Zp}]|(?![\n\r\t])\p{Cc}/u;

/** A few lines written by the DPO: trimmed, not blank, bounded, nothing hidden in it. */
function RequestText(max: number) {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsOptional(),
    IsString({ message: ({ property }) => `${property} must be a string` }),
    Matches(/\S/, { message: ({ property }) => `${property} must not be blank` }),
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

export class CreatePrivacyRequestDto {
  @ApiProperty({ enum: REQUEST_KINDS })
  @IsIn(REQUEST_KINDS, { message: `kind must be one of ${REQUEST_KINDS.join(', ')}` })
  kind!: RequestKind;

  @ApiProperty({ enum: ['customer', 'contact'] })
  @IsIn(['customer', 'contact'], { message: 'subjectType must be customer or contact' })
  subjectType!: SubjectType;

  @ApiProperty({ format: 'uuid', description: "the customer's or the contact's id" })
  @IsUUID('all', { message: 'subjectId must be a UUID' })
  subjectId!: string;

  @ApiPropertyOptional({ description: 'when the request reached the controller (default now; not in the future)', example: '2027-01-31T09:00:00+01:00' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'receivedAt must be an ISO 8601 date-time, e.g. 2027-01-31T09:00:00+01:00' })
  receivedAt?: string;

  @ApiPropertyOptional({ description: "how the person's identity was checked (Art. 12(6)); required before the request can be done" })
  @RequestText(1000)
  identityCheck?: string;

  @ApiPropertyOptional()
  @RequestText(2000)
  note?: string;
}

export class UpdatePrivacyRequestDto {
  @ApiPropertyOptional({ enum: ['extended', 'done', 'refused'], description: 'the next status; leave out to record only the identity check' })
  @IsOptional()
  @IsIn(REQUEST_STATUSES, { message: `status must be one of ${REQUEST_STATUSES.join(', ')}` })
  status?: RequestStatus;

  @ApiPropertyOptional({ description: 'why the request needs two more months (Art. 12(3)); required with status extended' })
  @RequestText(1000)
  extensionReason?: string;

  @ApiPropertyOptional({ description: 'what was done, or why the request is refused (Art. 12(4)); required with status refused' })
  @RequestText(2000)
  outcome?: string;

  @ApiPropertyOptional({ description: "how the person's identity was checked (Art. 12(6))" })
  @RequestText(1000)
  identityCheck?: string;
}

/** `?status=&overdue=&page=&limit=` (up to 500 a page, 100 by default). */
export class PrivacyRequestQueryDto extends PageQuery(500, 100) {
  @ApiPropertyOptional({ enum: REQUEST_STATUSES })
  @IsOptional()
  @IsIn(REQUEST_STATUSES, { message: `status must be one of ${REQUEST_STATUSES.join(', ')}` })
  status?: RequestStatus;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only requests past their due date and not done or refused' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'overdue must be true or false' })
  overdue?: 'true' | 'false';
}

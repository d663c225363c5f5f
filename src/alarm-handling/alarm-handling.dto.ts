import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsPhone } from '../common/phone-number.js';
import { SingleLine } from '../common/text-field.js';

export const CALL_TARGETS = ['owner', 'contact', 'emergency', 'guard', 'other'] as const;
export type CallTarget = (typeof CALL_TARGETS)[number];
export const CALL_OUTCOMES = ['reached', 'no_answer', 'busy', 'wrong_number', 'voicemail'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** The numbers the central dials outside the customer's own people; the owner's and contacts' are on record. */
export const CALL_TARGETS_WITH_NUMBER: readonly CallTarget[] = ['emergency', 'guard', 'other'];

export class AlarmCallDto {
  @ApiProperty({ enum: CALL_TARGETS })
  @IsIn(CALL_TARGETS, { message: `to must be one of ${CALL_TARGETS.join(', ')}` })
  to: CallTarget;

  @ApiPropertyOptional({ format: 'uuid', description: "required when to is contact: one of the customer's contacts" })
  @IsOptional()
  @IsUUID('all', { message: 'contactId must be a UUID' })
  contactId?: string;

  @ApiPropertyOptional({ description: 'the number dialled, for emergency, guard and other (E.164, or a short emergency number such as 112)' })
  @IsOptional()
  @IsPhone('any')
  number?: string;

  @ApiProperty({ enum: CALL_OUTCOMES })
  @IsIn(CALL_OUTCOMES, { message: `outcome must be one of ${CALL_OUTCOMES.join(', ')}` })
  outcome: CallOutcome;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @SingleLine(500)
  note?: string;
}

export class ClaimAlarmDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'hand the alarm over to this operator; unset: the caller claims it' })
  @IsOptional()
  @IsUUID('all', { message: 'operatorId must be a UUID' })
  operatorId?: string;
}

/**
 * What can be done to many alarms at once: the single actions that need nothing per alarm
 * (no contact, no guard company). Acknowledging is on the owner's behalf, like `owner_reached`.
 */
export const BULK_ALARM_ACTIONS = ['owner_reached', 'emergency_services_called', 'false_alarm', 'resolved', 'note'] as const;
export type BulkAlarmAction = (typeof BULK_ALARM_ACTIONS)[number];
export const BULK_MAX_ALARMS = 200;

export class BulkAlarmActionDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: BULK_MAX_ALARMS })
  @IsArray({ message: 'alarmIds must be an array of alarm ids' })
  @ArrayMinSize(1, { message: 'alarmIds must name at least one alarm' })
  @ArrayMaxSize(BULK_MAX_ALARMS, { message: `alarmIds must name at most ${BULK_MAX_ALARMS} alarms` })
  @ArrayUnique({ message: 'alarmIds must not name an alarm twice' })
  @IsUUID('all', { each: true, message: 'each of alarmIds must be a UUID' })
  alarmIds: string[];

  @ApiProperty({ enum: BULK_ALARM_ACTIONS })
  @IsIn(BULK_ALARM_ACTIONS, { message: `action must be one of ${BULK_ALARM_ACTIONS.join(', ')}` })
  action: BulkAlarmAction;

  @ApiPropertyOptional({ maxLength: 2000, description: 'required for resolved and note; recorded on every alarm' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'note must be a string' })
  @MaxLength(2000, { message: 'note must be at most 2000 characters' })
  note?: string;
}

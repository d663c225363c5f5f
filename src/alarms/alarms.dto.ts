import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { SingleLine } from '../common/text-field.js';
import { PageQuery } from '../common/page-query.js';

export const ALARM_ACTIONS = [
  'owner_reached',
  'contact_reached',
  'guard_dispatched',
  'emergency_services_called',
  'false_alarm',
  'resolved',
  'note',
  // An addition to the contract: the operator's decision to text the contacts of a panic or duress alarm
  // (docs/alarm-handling.md#panic-and-duress).
  'notify_contacts',
  // Ticks off one step of the alarm's action plan by its index.
  'step_done',
] as const;
export type AlarmAction = (typeof ALARM_ACTIONS)[number];

export class ListAlarmsQuery extends PageQuery(200) {
  @ApiPropertyOptional({ enum: ['open', 'closed'] })
  @IsOptional()
  @IsIn(['open', 'closed'], { message: 'status must be "open" or "closed"' })
  status?: 'open' | 'closed';

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'customerId must be a UUID' })
  customerId?: string;
}

export class AlarmActionDto {
  @ApiProperty({
    enum: ALARM_ACTIONS,
    description:
      'owner_reached and contact_reached acknowledge; false_alarm and resolved close; notify_contacts (panic and duress only) starts texting the contacts',
  })
  @IsIn(ALARM_ACTIONS, { message: `action must be one of ${ALARM_ACTIONS.join(', ')}` })
  action: AlarmAction;

  @ApiPropertyOptional({ maxLength: 2000, description: 'required for resolved and note' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'note must be a string' })
  @MaxLength(2000, { message: 'note must be at most 2000 characters' })
  note?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "required for contact_reached: a contact in the alarm's escalation chain" })
  @IsOptional()
  @IsUUID('all', { message: 'contactId must be a UUID' })
  contactId?: string;

  @ApiPropertyOptional({ maxLength: 100, description: 'required for guard_dispatched: the guard company' })
  @IsOptional()
  @SingleLine(100)
  partner?: string;

  @ApiPropertyOptional({ minimum: 0, description: "required for step_done: the step's index (from 0) in the alarm's action plan" })
  @IsOptional()
  @IsInt({ message: 'step must be a whole number (the index of a step, from 0)' })
  @Min(0, { message: 'step must be at least 0' })
  @Max(1000, { message: 'step must be at most 1000' })
  step?: number;
}

import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, ValidateNested } from 'class-validator';
import { SingleLine } from '../common/text-field.js';
import { MAX_STEP_TEXT, MAX_STEPS, STEP_KINDS, type StepKind } from './action-plan-steps.js';

export class PlanStepDto {
  @ApiProperty({
    enum: STEP_KINDS,
    description: 'what the step asks: an action of that kind ticks it off by itself (note and verify_password are ticked by hand)',
  })
  @IsIn(STEP_KINDS, { message: `kind must be one of ${STEP_KINDS.join(', ')}` })
  kind: StepKind;

  @ApiProperty({ maxLength: MAX_STEP_TEXT, example: 'Call 112 (fire and rescue)' })
  @SingleLine(MAX_STEP_TEXT)
  text: string;
}

export class ActionPlanDto {
  @ApiProperty({ type: [PlanStepDto], minItems: 1, maxItems: MAX_STEPS, description: 'in the order the operator works them' })
  @IsArray({ message: 'steps must be an array' })
  @ArrayMinSize(1, { message: 'steps must have at least one step' })
  @ArrayMaxSize(MAX_STEPS, { message: `steps must have at most ${MAX_STEPS} steps` })
  @ValidateNested({ each: true })
  @Type(() => PlanStepDto)
  steps: PlanStepDto[];
}

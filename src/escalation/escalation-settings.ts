import { Body, Controller, Get, Injectable, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { Roles } from '../auth/access.decorator.js';
import { CurrentOperator, type AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { DomainError } from '../common/domain-error.js';
import { NoPersonalData } from '../privacy/processing.decorator.js';
import { DEFAULT_CONTACT_WAIT_SECONDS, DEFAULT_OWNER_WAIT_SECONDS, ESCALATING_CLASSES, type EscalatingClass } from './escalation-policy.js';
import { EscalationRepository } from './escalation.repository.js';

const waitRule = (field: string) => [
  IsInt({ message: `${field} must be a whole number of seconds` }),
  Min(1, { message: `${field} must be at least 1` }),
  Max(3600, { message: `${field} must be at most 3600` }),
];
const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) =>
    decorators.forEach((d) => d(target, key));

export class EscalationWaitsDto {
  @ApiProperty({ minimum: 1, maximum: 3600, example: 60, description: 'how long the owner has to acknowledge before the contacts are tried' })
  @apply(waitRule('ownerWaitSeconds'))
  ownerWaitSeconds: number;

  @ApiProperty({ minimum: 1, maximum: 3600, example: 60, description: 'how long each contact has before the next one is tried' })
  @apply(waitRule('contactWaitSeconds'))
  contactWaitSeconds: number;
}

type Waits = { ownerWaitSeconds: number; contactWaitSeconds: number };

@Injectable()
export class EscalationSettings {
  constructor(private readonly repository: EscalationRepository) {}

  async all(): Promise<Record<EscalatingClass, Waits>> {
    const byClass = new Map((await this.repository.waitSettings()).map((r) => [r.class, r]));
    return Object.fromEntries(
      ESCALATING_CLASSES.map((c) => {
        const r = byClass.get(c);
        return [
          c,
          {
            ownerWaitSeconds: r?.owner_wait_seconds ?? DEFAULT_OWNER_WAIT_SECONDS,
            contactWaitSeconds: r?.contact_wait_seconds ?? DEFAULT_CONTACT_WAIT_SECONDS,
          },
        ];
      }),
    ) as Record<EscalatingClass, Waits>;
  }

  /** For alarms opened from now on; a running alarm keeps the waits it froze when it opened. */
  async set(cls: string, waits: Waits, operatorId: string): Promise<Waits & { class: EscalatingClass }> {
    if (!(ESCALATING_CLASSES as readonly string[]).includes(cls)) {
      throw new DomainError(
        'not_found',
        'escalation_class_not_found',
        `class must be one of ${ESCALATING_CLASSES.join(', ')} (panic and duress text no one, so they have no waits)`,
      );
    }
    await this.repository.setWaits(cls, waits.ownerWaitSeconds, waits.contactWaitSeconds, operatorId);
    return { class: cls as EscalatingClass, ...waits };
  }
}

@ApiTags('settings')
@ApiBearerAuth()
@Controller('api/settings/escalation')
export class EscalationSettingsController {
  constructor(private readonly settings: EscalationSettings) {}

  @Get()
  @Roles('operator', 'supervisor')
  @NoPersonalData('escalation waits per alarm class are configuration')
  async get() {
    return { classes: await this.settings.all() };
  }

  @Put(':class')
  @Roles('supervisor')
  @NoPersonalData('escalation waits per alarm class are configuration')
  put(@Param('class') cls: string, @Body() dto: EscalationWaitsDto, @CurrentOperator() operator: AuthenticatedOperator) {
    return this.settings.set(cls, { ownerWaitSeconds: dto.ownerWaitSeconds, contactWaitSeconds: dto.contactWaitSeconds }, operator.id);
  }
}

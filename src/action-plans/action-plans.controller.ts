import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { CurrentOperator, type AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { uuidParam } from '../common/uuid-param.js';
import { NoPersonalData, Processing } from '../privacy/processing.decorator.js';
import { ActionPlanDto } from './action-plans.dto.js';
import { CUSTOMER_ACTION_PLANS } from './action-plans.processing.js';
import { ActionPlans } from './action-plans.service.js';

const CENTRAL_PLAN = "the central's procedure per alarm class is configuration, about no one";

@ApiTags('settings')
@ApiBearerAuth()
@Controller('api/settings/action-plans')
export class ActionPlanSettingsController {
  constructor(private readonly plans: ActionPlans) {}

  /** Every class that opens an alarm, with its steps in order. */
  @Get()
  @Roles('operator', 'supervisor')
  @NoPersonalData(CENTRAL_PLAN)
  get() {
    return this.plans.central();
  }

  /** For alarms opened from now on; an open alarm keeps the plan it froze. */
  @Put(':class')
  @Roles('supervisor')
  @NoPersonalData(CENTRAL_PLAN)
  put(@Param('class') cls: string, @Body() dto: ActionPlanDto, @CurrentOperator() operator: AuthenticatedOperator) {
    return this.plans.setCentral(cls, dto.steps, operator.id);
  }
}

@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/customers/:id/action-plans')
export class CustomerActionPlansController {
  constructor(private readonly plans: ActionPlans) {}

  /** The customer's own plans (an addition to the contract, for the customer page); classes without one use the central's. */
  @Get()
  @Roles('operator', 'supervisor')
  @Processing({ ...CUSTOMER_ACTION_PLANS, operation: 'customers.action_plans.read', purpose: "Show the customer's own procedure per alarm class" })
  get(@Param('id', uuidParam('id')) customerId: string) {
    return this.plans.forCustomer(customerId);
  }

  @Put(':class')
  @Roles('supervisor')
  @Processing({
    ...CUSTOMER_ACTION_PLANS,
    operation: 'customers.action_plans.set',
    purpose: 'Record the procedure agreed with the customer for an alarm class',
  })
  put(
    @Param('id', uuidParam('id')) customerId: string,
    @Param('class') cls: string,
    @Body() dto: ActionPlanDto,
    @CurrentOperator() operator: AuthenticatedOperator,
  ) {
    return this.plans.setForCustomer(customerId, cls, dto.steps, operator.id);
  }

  /** Back to the central's plan for that class. */
  @Delete(':class')
  @HttpCode(204)
  @Roles('supervisor')
  @Processing({ ...CUSTOMER_ACTION_PLANS, operation: 'customers.action_plans.remove', purpose: "Remove the customer's own procedure for an alarm class" })
  async remove(@Param('id', uuidParam('id')) customerId: string, @Param('class') cls: string): Promise<void> {
    await this.plans.removeForCustomer(customerId, cls);
  }
}

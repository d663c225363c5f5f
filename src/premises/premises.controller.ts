import { Body, Controller, Get, Header, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { CurrentOperator, type AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { uuidParam } from '../common/uuid-param.js';
import { Processing } from '../privacy/processing.decorator.js';
import { PutPremisesDto } from './premises.dto.js';
import { PREMISES, PREMISES_SECRETS_REVEAL } from './premises.processing.js';
import { PremisesService } from './premises.service.js';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/customers/:id/premises')
export class PremisesController {
  constructor(private readonly premises: PremisesService) {}

  @Get()
  @Roles('operator', 'supervisor', 'dpo')
  @ApiOperation({ summary: "The customer's premises facts; access, password and duressWord masked (null when not held)" })
  @Processing({
    ...PREMISES,
    operation: 'customers.premises.read',
    purpose: "Show what the central knows about the customer's premises, to handle their alarms",
  })
  get(@Param('id', uuidParam('id')) id: string) {
    return this.premises.get(id);
  }

  @Put()
  @Roles('operator', 'supervisor')
  @ApiOperation({
    summary: "Sets the customer's premises facts",
    description:
      'Merges: the fields given are written, the ones left out are kept (the secrets are only ever shown masked, so a form cannot send them back), ' +
      'and null clears a field. zones and users, when given, replace the whole map; zone and user keys that are numbers are kept without leading zeros.',
  })
  @Processing({ ...PREMISES, operation: 'customers.premises.update', purpose: "Keep what the central knows about the customer's premises correct" })
  put(@Param('id', uuidParam('id')) id: string, @Body() dto: PutPremisesDto, @CurrentOperator() operator: AuthenticatedOperator) {
    return this.premises.put(id, dto, operator.id);
  }

  @Get('secrets')
  @Header('Cache-Control', 'no-store')
  @Roles('operator', 'supervisor')
  @ApiOperation({ summary: 'The access information, verbal password and duress word in full; every call is written to the processing log' })
  @Processing(PREMISES_SECRETS_REVEAL)
  secrets(@Param('id', uuidParam('id')) id: string) {
    return this.premises.secrets(id);
  }
}

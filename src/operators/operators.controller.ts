import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { Processing } from '../privacy/processing.decorator.js';
import { CreateOperatorDto } from './operators.dto.js';
import { OperatorsService } from './operators.service.js';
import { toOperatorView } from './operator.entity.js';
import { OPERATOR_ACCOUNTS } from './operators.processing.js';

@ApiTags('operators')
@ApiBearerAuth()
@Controller('api/operators')
@Roles() // admin only (admin may call every route)
export class OperatorsController {
  constructor(private readonly operators: OperatorsService) {}

  @Post()
  @Processing({ ...OPERATOR_ACCOUNTS, operation: 'operators.create', purpose: 'Give alarm-central staff an account and a role' })
  async create(@Body() dto: CreateOperatorDto) {
    return toOperatorView(await this.operators.create(dto));
  }

  @Get()
  @Processing({ ...OPERATOR_ACCOUNTS, operation: 'operators.list', purpose: 'Administer alarm-central staff accounts' })
  async list() {
    const items = (await this.operators.list()).map(toOperatorView);
    return { items, total: items.length };
  }
}

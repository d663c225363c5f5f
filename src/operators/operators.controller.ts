import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { uuidParam } from '../common/uuid-param.js';
import { Processing } from '../privacy/processing.decorator.js';
import { CreateOperatorDto, ResetPasswordDto, UpdateOperatorDto } from './operators.dto.js';
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

  /** Renames, re-roles, disables or enables; a new role or disabling ends the operator's sessions and streams. */
  @Patch(':id')
  @Processing({ ...OPERATOR_ACCOUNTS, operation: 'operators.update', purpose: "Change a staff member's name, role or access, or cut a departed one off" })
  async update(@Param('id', uuidParam('id')) id: string, @Body() dto: UpdateOperatorDto) {
    return toOperatorView(await this.operators.update(id, dto));
  }

  @Post(':id/password')
  @HttpCode(204)
  @Processing({ ...OPERATOR_ACCOUNTS, operation: 'operators.reset_password', purpose: "Reset a staff member's password; their sessions end" })
  async resetPassword(@Param('id', uuidParam('id')) id: string, @Body() dto: ResetPasswordDto): Promise<void> {
    await this.operators.resetPassword(id, dto.password);
  }

  @Delete(':id/sessions')
  @HttpCode(204)
  @Processing({
    ...OPERATOR_ACCOUNTS,
    operation: 'operators.end_sessions',
    purpose: 'End every session of a staff member (a lost device, a suspected break-in)',
  })
  async endSessions(@Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.operators.endSessions(id);
  }
}

import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { uuidParam } from '../common/uuid-param.js';
import { Processing } from '../privacy/processing.decorator.js';
import { toCustomerView } from './customer.entity.js';
import { CreateCustomerDto, ListCustomersQuery, UpdateCustomerDto } from './customers.dto.js';
import { CUSTOMER_REGISTER, NATIONAL_ID_REVEAL } from './customers.processing.js';
import { CustomersService } from './customers.service.js';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @Roles('operator', 'supervisor')
  @Processing({ ...CUSTOMER_REGISTER, operation: 'customers.create', purpose: 'Register a new alarm customer under their monitoring contract' })
  async create(@Body() dto: CreateCustomerDto) {
    return toCustomerView(await this.customers.create(dto));
  }

  @Get()
  @Roles('operator', 'supervisor', 'dpo')
  @Processing({ ...CUSTOMER_REGISTER, operation: 'customers.list', purpose: 'Find a customer in the register to serve them or handle their alarm' })
  async list(@Query() query: ListCustomersQuery) {
    const { items, total } = await this.customers.list(query);
    return { items: items.map(toCustomerView), total };
  }

  @Get(':id')
  @Roles('operator', 'supervisor', 'dpo')
  @Processing({ ...CUSTOMER_REGISTER, operation: 'customers.read', purpose: "Show a customer's record to serve them or handle their alarm" })
  async get(@Param('id', uuidParam('id')) id: string) {
    return toCustomerView(await this.customers.get(id));
  }

  @Patch(':id')
  @Roles('operator', 'supervisor')
  @Processing({ ...CUSTOMER_REGISTER, operation: 'customers.update', purpose: "Keep the customer's record correct (including rectification on request)" })
  async update(@Param('id', uuidParam('id')) id: string, @Body() dto: UpdateCustomerDto) {
    return toCustomerView(await this.customers.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('supervisor')
  @Processing({
    ...CUSTOMER_REGISTER,
    operation: 'customers.end_contract',
    purpose: "End the customer's monitoring contract; the retention rule erases the record later",
  })
  async end(@Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.customers.end(id);
  }

  @Get(':id/national-id')
  @Header('Cache-Control', 'no-store')
  @Roles('supervisor', 'dpo')
  @Processing(NATIONAL_ID_REVEAL)
  async revealNationalId(@Param('id', uuidParam('id')) id: string) {
    return { nationalId: await this.customers.revealNationalId(id) };
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { CurrentOperator, type AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { uuidParam } from '../common/uuid-param.js';
import { Processing } from '../privacy/processing.decorator.js';
import { ContactNotices } from './contact-notices.js';
import { toContactView, type Contact } from './contact.entity.js';
import { CreateContactDto, ReorderContactsDto, UpdateContactDto } from './contacts.dto.js';
import { CONTACT_REGISTER } from './contacts.processing.js';
import { ContactsService } from './contacts.service.js';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/customers/:id/contacts')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly notices: ContactNotices,
  ) {}

  @Post()
  @Roles('operator', 'supervisor')
  @Processing({ ...CONTACT_REGISTER, operation: 'contacts.create', purpose: 'Add a person the customer named to their alarm contact list' })
  async create(@Param('id', uuidParam('id')) customerId: string, @Body() dto: CreateContactDto, @CurrentOperator() operator: AuthenticatedOperator) {
    return (await this.views([await this.contacts.create(customerId, dto, operator.id)]))[0];
  }

  @Get()
  @Roles('operator', 'supervisor', 'dpo')
  @Processing({ ...CONTACT_REGISTER, operation: 'contacts.list', purpose: "Show a customer's alarm contacts in escalation order" })
  async list(@Param('id', uuidParam('id')) customerId: string) {
    const items = await this.views(await this.contacts.list(customerId));
    return { items, total: items.length };
  }

  @Put('order')
  @Roles('operator', 'supervisor')
  @Processing({ ...CONTACT_REGISTER, operation: 'contacts.reorder', purpose: 'Set the order in which alarm contacts are tried, as the customer wishes' })
  async reorder(@Param('id', uuidParam('id')) customerId: string, @Body() dto: ReorderContactsDto) {
    const items = await this.views(await this.contacts.reorder(customerId, dto.contactIds));
    return { items, total: items.length };
  }

  @Get(':contactId')
  @Roles('operator', 'supervisor', 'dpo')
  @Processing({ ...CONTACT_REGISTER, operation: 'contacts.read', purpose: 'Show one alarm contact' })
  async get(@Param('id', uuidParam('id')) customerId: string, @Param('contactId', uuidParam('contactId')) contactId: string) {
    return (await this.views([await this.contacts.get(customerId, contactId)]))[0];
  }

  @Patch(':contactId')
  @Roles('operator', 'supervisor')
  @Processing({ ...CONTACT_REGISTER, operation: 'contacts.update', purpose: "Keep an alarm contact's details correct (including rectification on request)" })
  async update(
    @Param('id', uuidParam('id')) customerId: string,
    @Param('contactId', uuidParam('contactId')) contactId: string,
    @Body() dto: UpdateContactDto,
    @CurrentOperator() operator: AuthenticatedOperator,
  ) {
    return (await this.views([await this.contacts.update(customerId, contactId, dto, operator.id)]))[0];
  }

  @Delete(':contactId')
  @HttpCode(204)
  @Roles('supervisor')
  @Processing({ ...CONTACT_REGISTER, operation: 'contacts.remove', purpose: "Take a person off the customer's alarm contact list" })
  async remove(@Param('id', uuidParam('id')) customerId: string, @Param('contactId', uuidParam('contactId')) contactId: string): Promise<void> {
    await this.contacts.remove(customerId, contactId);
  }

  private async views(contacts: Contact[]) {
    const notices = await this.notices.viewsFor(contacts);
    return contacts.map((c) => toContactView(c, notices.get(c.id)!));
  }
}

import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { CurrentOperator, type AuthenticatedOperator } from '../auth/authenticated-operator.js';
import { uuidParam } from '../common/uuid-param.js';
import { Processing } from '../privacy/processing.decorator.js';
import { ContactNotices } from './contact-notices.js';
import { toContactView } from './contact.entity.js';
import { CONTACT_REGISTER } from './contacts.processing.js';
import { ContactsService } from './contacts.service.js';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/customers/:id/contacts/:contactId/notice')
export class ContactNoticeController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly notices: ContactNotices,
  ) {}

  /** Sends a given-up onboarding notice again to the contact's number; answers the contact. */
  @Post()
  @HttpCode(200)
  @Roles('operator', 'supervisor')
  @Processing({
    ...CONTACT_REGISTER,
    operation: 'contacts.notice.resend',
    purpose: 'Send a contact the onboarding notice (Art. 14) again after it could not be delivered',
  })
  async resend(
    @Param('id', uuidParam('id')) customerId: string,
    @Param('contactId', uuidParam('contactId')) contactId: string,
    @CurrentOperator() operator: AuthenticatedOperator,
  ) {
    const contact = await this.contacts.get(customerId, contactId);
    await this.notices.resend(contact, operator.id);
    const views = await this.notices.viewsFor([contact]);
    return toContactView(contact, views.get(contact.id)!);
  }
}

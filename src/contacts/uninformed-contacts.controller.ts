import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { Processing } from '../privacy/processing.decorator.js';
import { ContactNotices } from './contact-notices.js';
import { UninformedContactsQueryDto } from './contacts.dto.js';
import { CONTACT_REGISTER } from './contacts.processing.js';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/contacts/uninformed')
export class UninformedContactsController {
  constructor(private readonly notices: ContactNotices) {}

  /** Contacts the onboarding notice has not reached: given up first (the operator must act), then those being retried. */
  @Get()
  @Roles('operator', 'supervisor', 'dpo')
  @Processing({
    ...CONTACT_REGISTER,
    operation: 'contacts.uninformed',
    purpose: 'Show the operators which alarm contacts were never informed (Art. 14 notice not delivered), so the number can be corrected',
  })
  list(@Query() q: UninformedContactsQueryDto) {
    return this.notices.uninformed(q.limit ?? 100);
  }
}

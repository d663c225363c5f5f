import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomersModule } from '../customers/customers.module.js';
import { ClockModule } from '../common/clock.js';
import { ContactNoticeRetries } from './contact-notice-retries.js';
import { ContactNoticeController } from './contact-notice.controller.js';
import { ContactNotices } from './contact-notices.js';
import { ContactNoticesRepository } from './contact-notices.repository.js';
import { Contact } from './contact.entity.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsService } from './contacts.service.js';
import { UninformedContactsController } from './uninformed-contacts.controller.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { CONTACT_RETENTION } from './contacts.retention.js';

@RetainedTables(...CONTACT_RETENTION)
@Module({
  // The onboarding notice is queued through the SMS outbox (SmsModule is global).
  imports: [TypeOrmModule.forFeature([Contact]), CustomersModule, ClockModule],
  controllers: [ContactsController, ContactNoticeController, UninformedContactsController],
  providers: [ContactNoticesRepository, ContactsService, ContactNotices, ContactNoticeRetries],
  exports: [ContactsService, ContactNotices],
})
export class ContactsModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SMS_MODULE } from '../alarms/sms-ports.js';
import { CustomersModule } from '../customers/customers.module.js';
import { ClockModule } from '../common/clock.js';
import { ContactNoticeRetries } from './contact-notice-retries.js';
import { ContactNoticeController } from './contact-notice.controller.js';
import { ContactNotices } from './contact-notices.js';
import { Contact } from './contact.entity.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsService } from './contacts.service.js';
import { UninformedContactsController } from './uninformed-contacts.controller.js';
import { RetainedTables } from '../privacy/retention-rule.js';
import { CONTACT_RETENTION } from './contacts.retention.js';

@RetainedTables(...CONTACT_RETENTION)
@Module({
  // SMS_MODULE: the app's one SmsModule (the onboarding notice is queued through its outbox).
  imports: [TypeOrmModule.forFeature([Contact]), CustomersModule, SMS_MODULE, ClockModule],
  controllers: [ContactsController, ContactNoticeController, UninformedContactsController],
  providers: [ContactsService, ContactNotices, ContactNoticeRetries],
  exports: [ContactsService, ContactNotices],
})
export class ContactsModule {}

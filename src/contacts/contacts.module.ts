import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomersModule } from '../customers/customers.module.js';
import { ContactNotices } from './contact-notices.js';
import { Contact } from './contact.entity.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsService } from './contacts.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Contact]), CustomersModule],
  controllers: [ContactsController],
  providers: [ContactsService, ContactNotices],
  exports: [ContactsService, ContactNotices],
})
export class ContactsModule {}

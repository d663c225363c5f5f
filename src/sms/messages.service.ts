import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { ListMessagesQuery } from './messages.dto.js';
import { SmsMessage, toMessageView } from './sms-message.entity.js';

/** The read side of the SMS log (docs/api-contract.md#messages). */
@Injectable()
export class MessagesService {
  constructor(@InjectRepository(SmsMessage) private readonly messages: Repository<SmsMessage>) {}

  async list(q: ListMessagesQuery) {
    const limit = q.limit ?? 50;
    const page = q.page ?? 1;
    const query = this.messages.createQueryBuilder('m');
    if (q.customerId) query.andWhere('m.customer_id = :customerId', { customerId: q.customerId });
    if (q.contactId) query.andWhere('m.contact_id = :contactId', { contactId: q.contactId });
    if (q.alarmId) query.andWhere('m.alarm_id = :alarmId', { alarmId: q.alarmId });
    if (q.to) query.andWhere('m.to_phone = :to', { to: q.to });
    const [rows, total] = await query
      .orderBy('m.created_at', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .skip((page - 1) * limit)
      .take(limit)
      .getManyAndCount();
    return { items: rows.map(toMessageView), total };
  }
}

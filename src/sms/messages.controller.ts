import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import type { Request } from 'express';
import { nameSubjects } from '../privacy/processing-log.interceptor.js';
import { Processing } from '../privacy/processing.decorator.js';
import { ListMessagesQuery } from './messages.dto.js';
import { MessagesService } from './messages.service.js';
import { MESSAGES_READ } from './sms.processing.js';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('api/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /** Newest first; with SMS_PROVIDER=outbox this is where the texts can be read. */
  @Get()
  @Roles('operator', 'supervisor')
  @Processing(MESSAGES_READ)
  list(@Query() query: ListMessagesQuery, @Req() req: Request) {
    // A filter by person or alarm reads that person's messages, even when there are none.
    nameSubjects(req, query.customerId, query.contactId, query.alarmId);
    return this.messages.list(query);
  }
}

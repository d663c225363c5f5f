import { Body, Controller, Header, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import twilio from 'twilio';
import { Public } from '../auth/access.decorator.js';
import { nameSubjects } from '../privacy/processing-log.interceptor.js';
import { Processing } from '../privacy/processing.decorator.js';
import { InboundSms } from './inbound-sms.js';
import { SmsDeliveryStatus } from './sms-delivery-status.js';
import { INBOUND_SMS, SMS_DELIVERY_STATUS } from './sms.processing.js';
import { TwilioSignatureGuard } from './twilio-signature.guard.js';

/** Twilio's webhooks (docs/api-contract.md#twilio-webhooks): form-encoded, authenticated by X-Twilio-Signature instead of a token. */
@ApiTags('twilio webhooks')
@ApiConsumes('application/x-www-form-urlencoded')
@Controller('webhooks/twilio')
@Public('Twilio calls these; every request is authenticated by its X-Twilio-Signature instead')
@UseGuards(TwilioSignatureGuard)
export class TwilioWebhooksController {
  constructor(
    private readonly inbound: InboundSms,
    private readonly deliveryStatus: SmsDeliveryStatus,
  ) {}

  /** Inbound SMS; answers TwiML, with a <Message> when there is a reply to send. */
  @Post('sms')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  @ApiProduces('text/xml')
  @Processing(INBOUND_SMS)
  async sms(@Req() req: Request, @Body() params: Record<string, unknown>): Promise<string> {
    const { reply, subjectIds } = await this.inbound.receive(params);
    nameSubjects(req, ...(subjectIds ?? []));
    const twiml = new twilio.twiml.MessagingResponse();
    if (reply) twiml.message(reply); // the SDK escapes it for XML
    return twiml.toString();
  }

  /** Delivery status callbacks; moves the message's status forward only. */
  @Post('status')
  @HttpCode(204)
  @Processing(SMS_DELIVERY_STATUS)
  async status(@Req() req: Request, @Body() params: Record<string, unknown>): Promise<void> {
    const one = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const message = await this.deliveryStatus.applyProviderStatus({
      providerId: one(params.MessageSid) ?? one(params.SmsSid),
      // Our own id, in the callback URL Twilio signed: a lookup key, not by itself anyone's id.
      messageId: one(req.query.messageId),
      status: one(params.MessageStatus) ?? one(params.SmsStatus),
      errorCode: one(params.ErrorCode),
    });
    nameSubjects(req, message?.customerId, message?.contactId);
  }
}

import { Body, Controller, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/access.decorator.js';
import { Processing } from '../privacy/processing.decorator.js';
import type { ProcessingRequest } from '../privacy/processing-log.interceptor.js';
import { PANEL_EVENTS_RECEIVE } from './alarms.processing.js';
import { PanelEventAnswer, PanelEventDto } from './panel-events.dto.js';
import { PanelEvents } from './panel-events.service.js';
import { PanelSignatureGuard } from './panel-signature.guard.js';

@ApiTags('panel events')
@Controller('api/panels/:panelId/events')
export class PanelEventsController {
  constructor(private readonly events: PanelEvents) {}

  /** 202 once committed; 200 with the first answer for a repeated eventId. */
  @Post()
  @HttpCode(202)
  @Public('panels sign requests with their own secret (X-Keyholder-Signature) instead of a token')
  @UseGuards(PanelSignatureGuard)
  @Processing(PANEL_EVENTS_RECEIVE)
  @ApiHeader({ name: 'X-Keyholder-Timestamp', required: true, description: 'Unix time in seconds; refused more than 300 s away' })
  @ApiHeader({ name: 'X-Keyholder-Signature', required: true, description: '"sha256=" + hex HMAC-SHA256 with the panel secret over "<timestamp>.<raw body>"' })
  @ApiAcceptedResponse({ type: PanelEventAnswer })
  @ApiOkResponse({ type: PanelEventAnswer, description: 'a repeated eventId: the first answer, status "duplicate"' })
  @ApiUnauthorizedResponse({ description: 'signature missing or wrong, timestamp too far off, or unknown panel' })
  async receive(
    @Param('panelId') panelId: string,
    @Body() dto: PanelEventDto,
    @Req() req: ProcessingRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PanelEventAnswer> {
    const result = await this.events.receive(panelId, dto, typeof req.id === 'string' ? req.id.slice(0, 100) : null);
    req.processingLogged = true; // written with the event (PanelEvents)
    if (result.duplicate) res.status(200);
    return result.body;
  }
}

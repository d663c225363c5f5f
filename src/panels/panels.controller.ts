import { Body, Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { uuidParam } from '../common/uuid-param.js';
import { Processing } from '../privacy/processing.decorator.js';
import { toPanelView, type Panel } from './panel.entity.js';
import { CreatePanelDto } from './panels.dto.js';
import { PANEL_REGISTER } from './panels.processing.js';
import { PanelsService } from './panels.service.js';

@ApiTags('panels')
@ApiBearerAuth()
@Controller('api/customers/:id/panels')
export class PanelsController {
  constructor(private readonly panels: PanelsService) {}

  @Post()
  @Header('Cache-Control', 'no-store')
  @Roles('supervisor')
  @Processing({ ...PANEL_REGISTER, operation: 'panels.create', purpose: "Register the customer's alarm panel so its signals are accepted" })
  async create(@Param('id', uuidParam('id')) customerId: string, @Body() dto: CreatePanelDto) {
    return withSecret(await this.panels.create(customerId, dto));
  }

  @Get()
  @Roles('operator', 'supervisor')
  @Processing({ ...PANEL_REGISTER, operation: 'panels.list', purpose: "Show the customer's panels and whether each is still reporting" })
  async list(@Param('id', uuidParam('id')) customerId: string) {
    const now = new Date();
    const items = (await this.panels.list(customerId)).map((p) => toPanelView(p, now));
    return { items, total: items.length };
  }

  @Post(':panelId/rotate-secret')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Roles('supervisor')
  @Processing({ ...PANEL_REGISTER, operation: 'panels.rotate_secret', purpose: "Replace a panel's secret (e.g. after a technician visit or a suspected leak)" })
  async rotate(@Param('id', uuidParam('id')) customerId: string, @Param('panelId', uuidParam('panelId')) panelId: string) {
    return withSecret(await this.panels.rotateSecret(customerId, panelId));
  }
}

/** The panel with its secret, the one time it is shown; a DC-09 panel's key also where installers look for it. */
function withSecret({ panel, secret }: { panel: Panel; secret: string }) {
  const view = toPanelView(panel);
  return { ...view, secret, ...(view.dc09 ? { dc09: { ...view.dc09, key: secret } } : {}) };
}

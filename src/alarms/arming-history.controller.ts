import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Roles } from '../auth/access.decorator.js';
import { uuidParam } from '../common/uuid-param.js';
import { CustomersService } from '../customers/customers.service.js';
import { Processing } from '../privacy/processing.decorator.js';
import { ARMING_HISTORY_READ } from './alarms.processing.js';
import { PageQuery } from '../common/page-query.js';

export class ArmingHistoryQuery extends PageQuery(200) {}

/** Arm/disarm history (PRODUCT.md: when, how, which user), read from the panel events themselves. */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/customers/:id/arming-history')
export class ArmingHistoryController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly customers: CustomersService,
  ) {}

  /** Newest first. */
  @Get()
  @Roles('operator', 'supervisor')
  @Processing(ARMING_HISTORY_READ)
  async list(@Param('id', uuidParam('id')) customerId: string, @Query() q: ArmingHistoryQuery) {
    await this.customers.get(customerId);
    const limit = q.limit ?? 50;
    const page = q.page ?? 1;
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM panel_event WHERE customer_id = $1 AND class = 'arming'`, [
      customerId,
    ])) as Array<{ total: number }>;
    const rows = (await this.dataSource.query(
      `SELECT id, panel_id, event_id, code, arming, panel_user, method, occurred_at, received_at
         FROM panel_event WHERE customer_id = $1 AND class = 'arming'
        ORDER BY occurred_at DESC, received_at DESC, id LIMIT $2 OFFSET $3`,
      [customerId, limit, (page - 1) * limit],
    )) as Array<Record<string, any>>;
    const items = rows.map((r) => ({
      id: r.id,
      panelId: r.panel_id,
      at: r.occurred_at.toISOString(),
      receivedAt: r.received_at.toISOString(),
      action: r.arming,
      method: r.method,
      user: r.panel_user,
      code: r.code,
      eventId: r.event_id,
    }));
    return { items, total };
  }
}

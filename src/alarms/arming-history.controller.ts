import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Roles } from '../auth/access.decorator.js';
import { uuidParam } from '../common/uuid-param.js';
import { rows } from '../database/rows.js';
import { CustomersService } from '../customers/customers.service.js';
import { Processing } from '../privacy/processing.decorator.js';
import { ARMING_HISTORY_READ } from './alarms.processing.js';
import { PageQuery } from '../common/page-query.js';

export class ArmingHistoryQuery extends PageQuery(200) {}

/** Arm/disarm history (docs/alarm-handling.md#arming-history: when, how, which user), read from the panel events themselves. */
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
    const [{ total }] = await rows<{ total: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total FROM panel_event WHERE customer_id = $1 AND class = 'arming'`,
      [customerId],
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw rows, shaped into items just below
    const found = await rows<Record<string, any>>(
      this.dataSource,
      `SELECT e.id, e.panel_id, e.event_id, e.code, e.arming, e.panel_user, e.method, e.occurred_at, e.received_at,
              premises_name(pr.users, e.panel_user) AS user_name
         FROM panel_event e LEFT JOIN premises pr ON pr.customer_id = e.customer_id
        WHERE e.customer_id = $1 AND e.class = 'arming'
        ORDER BY e.occurred_at DESC, e.received_at DESC, e.id LIMIT $2 OFFSET $3`,
      [customerId, limit, (page - 1) * limit],
    );
    const items = found.map((r) => ({
      id: r.id,
      panelId: r.panel_id,
      at: r.occurred_at.toISOString(),
      receivedAt: r.received_at.toISOString(),
      action: r.arming,
      method: r.method,
      user: r.panel_user,
      /** The customer's name for the panel user (premises), or null. */
      userName: r.user_name,
      code: r.code,
      eventId: r.event_id,
    }));
    return { items, total };
  }
}

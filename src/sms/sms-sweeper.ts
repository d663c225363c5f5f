import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rows } from '../database/rows.js';
import { CHANGE_COLUMNS, SmsDeliveryStatus, type ChangeRow } from './sms-delivery-status.js';
import { SmsDispatcher } from './sms-dispatcher.js';

/**
 * The outbox's safety net, every second, for what no kick in this process covers:
 * - a message still `sending` past its deadline (`claimed_until`) belonged to a sender that stopped
 *   mid-send (a crash, a kill): it goes back to `queued` with error_code `outcome_unknown`, so the
 *   dispatcher asks the provider whether it left before sending it again, as after a timeout;
 * - a message queued to a number that opted out meanwhile (enqueued while the STOP was committing)
 *   is refused;
 * - whatever is due and was not kicked here (rows another instance committed, retries whose timer
 *   was lost) is dispatched.
 */
@Injectable()
export class SmsSweeper implements OnModuleDestroy {
  private readonly logger = new Logger(SmsSweeper.name);
  private sweeping?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly status: SmsDeliveryStatus,
    private readonly dispatcher: SmsDispatcher,
  ) {}

  /** One sweep, after the one running (if any) has finished. */
  async sweep(): Promise<void> {
    while (this.sweeping) await this.sweeping;
    if (this.stopped) return;
    this.sweeping = this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  @Interval('sms-outbox-sweep', 1000)
  sweepTick(): void {
    // A slow sweep (a busy database) is not stacked up behind itself.
    if (!this.sweeping) void this.sweep();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    try {
      const stuck = await rows<ChangeRow>(
        this.dataSource,
        `WITH u AS (
           UPDATE sms_message SET status = 'queued', error_code = 'outcome_unknown', claimed_until = NULL,
                  next_attempt_at = now(), updated_at = now()
            WHERE status = 'sending' AND claimed_until < now()
            RETURNING ${CHANGE_COLUMNS})
         SELECT * FROM u`,
      );
      for (const row of stuck) {
        this.logger.warn(
          { messageId: row.id, purpose: row.purpose },
          'SMS was being sent when its sender stopped; outcome unknown; will check with the provider before sending again',
        );
      }
      this.status.emitRows(stuck, 'sending', 'queued');
      const optedOut = await rows<ChangeRow>(
        this.dataSource,
        `WITH u AS (
           UPDATE sms_message m SET status = 'refused', refusal_reason = 'opted_out', updated_at = now()
            WHERE m.status = 'queued' AND EXISTS (SELECT 1 FROM sms_opt_out o WHERE o.phone = m.to_phone)
            RETURNING ${CHANGE_COLUMNS.replace(/(\w+)/g, 'm.$1')})
         SELECT * FROM u`,
      );
      this.status.emitRows(optedOut, 'queued', 'refused');
      this.dispatcher.kick();
    } catch (e) {
      if (!this.stopped) this.logger.warn({ err: e }, 'SMS outbox sweep failed; next sweep in a second');
    }
  }
}

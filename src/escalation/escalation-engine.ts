import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Subscription } from 'rxjs';
import type { DataSource } from 'typeorm';
import { AlarmChanges, announceAlarmChange } from '../alarm-model/alarm-changes.js';
import { Clock } from '../common/clock.js';
import { DrainRunner } from '../common/drain-runner.js';
import type { SmsStatusChange } from '../sms/sms-delivery-status.js';
import { SmsOutbox } from '../sms/sms-outbox.js';
import { Escalation } from './escalation.js';
import { EscalationRepository } from './escalation.repository.js';

/** A step that failed (an error, not an SMS failure) is tried again after this long. */
const STEP_RETRY_MS = 5000;
/** Due steps run at once by one instance (each on its own pooled connection; the pool has 20). */
const STEP_WORKERS = 4;

/** Status changes of a step's SMS that matter to the escalation. */
const WATCHED = new Set(['sent', 'delivered', 'failed', 'undelivered', 'refused']);

/**
 * Runs escalation steps when they fall due, within milliseconds of their time
 * (docs/alarm-handling.md#first-sms-within-milliseconds), durably
 * (docs/alarm-handling.md#escalation-survives-restarts):
 * - the state is in the alarm rows (next_step_at); this process keeps one timer armed for the
 *   earliest next_step_at of all alarms, re-armed whenever a change is committed here or announced
 *   by another instance (LISTEN/NOTIFY, AlarmChanges);
 * - a sweep every second runs anything due that no timer caught (a lost notification, a clock jump);
 * - a due alarm is claimed with FOR UPDATE SKIP LOCKED and its step run and its state moved on in
 *   one transaction, so instances sharing the database never run a step twice;
 * - when more are due than can run at once (a storm), the most urgent class goes first (alarm.urgency:
 *   panic and duress, then fire, gas and medical, then the rest, then technical), then the oldest;
 * - at start-up every overdue step runs at once (after a crash, kill -9 or a deploy).
 * A step's SMS failing for good (failed, undelivered, refused) ends the step at once, from the
 * outbox's status changes.
 */
@Injectable()
export class EscalationEngine implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EscalationEngine.name);
  private timer?: NodeJS.Timeout;
  private timerAt?: number;
  private readonly runner = new DrainRunner({
    pass: () => this.runDueSteps(),
    onError: (e) => this.logger.warn({ err: e }, 'escalation pass failed; the sweep retries within a second'),
  });
  private readonly subscriptions: Subscription[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly escalation: Escalation,
    private readonly clock: Clock,
    private readonly changes: AlarmChanges,
    private readonly outbox: SmsOutbox,
    private readonly repository: EscalationRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.subscriptions.push(
      this.outbox.statusChanges$.subscribe((change) => {
        if (change.alarmId && WATCHED.has(change.status) && (change.purpose === 'alarm_owner' || change.purpose === 'alarm_contact')) {
          void this.onMessageStatus(change);
        }
      }),
      this.changes.changes$.subscribe((change) => {
        if (change.nextStepAt) this.armAt(change.nextStepAt);
      }),
    );
    this.runDue();
  }

  async onModuleDestroy(): Promise<void> {
    const stopping = this.runner.stop();
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.unsubscribe();
    await stopping;
  }

  /** Something will be due at `at` (epoch ms): make sure the timer fires by then. */
  armAt(at: number): void {
    if (this.runner.stopped) return;
    if (this.timerAt !== undefined && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.runDue();
      },
      Math.max(0, at - this.clock.now().getTime()),
    );
    this.timer.unref();
  }

  /** The safety net (see the class comment). Also what a test calls to run due steps now. */
  @Interval('escalation-sweep', 1000)
  sweep(): void {
    this.runDue();
  }

  /** Runs every due step (or, when a pass is running, another pass right after it). */
  runDue(): void {
    this.runner.kick();
  }

  /** Resolves when no pass is running (tests). */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  private async runDueSteps(): Promise<void> {
    // One due alarm per transaction, until none is due, on STEP_WORKERS connections at once: a
    // step is a dozen round trips, so one at a time caps a storm of due steps at what one
    // connection's latency allows. SKIP LOCKED already keeps instances from claiming the same
    // alarm; it keeps these workers apart the same way.
    const workers = await Promise.allSettled(
      Array.from({ length: STEP_WORKERS }, async () => {
        while (!this.runner.stopped && (await this.runOne())) {
          /* next due alarm */
        }
      }),
    );
    const failed = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed) throw failed.reason;
    await this.armForEarliest();
  }

  /** Claims one due alarm (skipping any another instance holds), runs its step, commits. */
  private async runOne(): Promise<boolean> {
    const now = this.clock.now();
    let next: Date | null = null;
    let claimed: string | undefined;
    try {
      const ran = await this.dataSource.transaction(async (m) => {
        const alarm = await this.repository.claimDue(m, now);
        if (!alarm) return false;
        claimed = alarm.id;
        next = await this.escalation.due(alarm, m);
        await announceAlarmChange(m, alarm.id, next);
        return true;
      });
      if (next) this.armAt((next as Date).getTime());
      return ran;
    } catch (e) {
      if (!claimed) throw e;
      // One alarm whose step fails (rolled back, so nothing was sent) must not hold up every other
      // alarm behind it in the due order: it is tried again a little later.
      this.logger.error({ err: e, alarmId: claimed }, 'escalation step failed; retrying this alarm in 5 s');
      await this.repository.retryStepAt(claimed, new Date(now.getTime() + STEP_RETRY_MS), now);
      return true;
    }
  }

  private async armForEarliest(): Promise<void> {
    const at = await this.repository.earliestNextLook();
    if (at) this.armAt(at.getTime());
  }

  private async onMessageStatus(change: SmsStatusChange): Promise<void> {
    try {
      if (change.status === 'sent' || change.status === 'delivered') {
        const at = await this.escalation.handedOver(change.alarmId!, change.messageId);
        if (at) this.armAt(at.getTime());
        return;
      }
      let next: Date | null | undefined;
      await this.dataSource.transaction(async (m) => {
        const alarm = await this.repository.lockForStepMessage(m, change.alarmId!, change.messageId);
        if (alarm) next = await this.escalation.messageStatus(alarm, change.messageId, m);
        // Announced whether or not the step moved: the SMS's status is part of what operators see.
        await announceAlarmChange(m, change.alarmId!, next ?? null);
      });
      if (next) this.armAt((next as Date).getTime());
    } catch (e) {
      // The due check reads the same status from the database, so the step still ends, at its fallback time.
      if (!this.runner.stopped) this.logger.warn({ err: e, alarmId: change.alarmId, messageId: change.messageId }, 'could not react to an alarm SMS status');
    }
  }
}

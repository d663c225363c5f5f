import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Subscription } from 'rxjs';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { Clock } from '../common/clock.js';
import { POLICY_VERSION } from '../privacy-policy/policy-version.js';
import { SmsOutbox } from '../sms/sms-outbox.js';
import { TERMINAL_STATUSES } from '../sms/sms-status.js';
import { ContactNotices } from './contact-notices.js';
import { ContactNoticesRepository } from './contact-notices.repository.js';
import { afterFailedNotice } from './notice-retry-policy.js';

/** How often notices are checked for reported failures and for retries that fell due. */
const CHECK_MS = 60_000;
const BATCH = 200;

/**
 * Retries failed onboarding notices (schedule and reasons in notice-retry-policy.ts). All state is
 * in contact_notice, so a restart, or another instance, carries on where this one stopped:
 * 1. A notice whose latest SMS reached a final status is settled (delivered, or given up) or given
 *    its next attempt's time. This runs on each status change of a notice SMS in this process, and
 *    every minute for changes reported to another instance.
 * 2. Notices whose next attempt is due (by the app's Clock) get a new SMS through
 *    ContactNotices.retry: the send gate, the daily caps and the processing log apply to it as to the
 *    first. A row lock (SKIP LOCKED) and the due time re-read under it keep two instances from
 *    sending the same attempt; a delivered notice is settled and never due again.
 */
@Injectable()
export class ContactNoticeRetries implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ContactNoticeRetries.name);
  private subscription?: Subscription;
  private running?: Promise<number>;
  private again = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: SmsOutbox,
    private readonly notices: ContactNotices,
    private readonly clock: Clock,
    private readonly repository: ContactNoticesRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.outbox.statusChanges$.subscribe((change) => {
      if (change.purpose === 'contact_notice' && TERMINAL_STATUSES.has(change.status)) void this.check();
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  @Interval('contact-notice-retries', CHECK_MS)
  async tick(): Promise<void> {
    await this.check();
  }

  /**
   * Settles what was reported and sends what is due; one pass at a time in this process (a request
   * during a pass runs another after it). Returns how many notice SMS the last pass queued.
   */
  check(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let queued = 0;
      do {
        this.again = false;
        try {
          await this.settleReported();
          const sent = await this.sendDue();
          queued = sent.queued;
          if (sent.stored) await this.settleReported(); // a retry the gate refused is given up at once
        } catch (e) {
          this.logger.error({ err: e }, 'could not check failed contact notices; the next check tries again');
        }
      } while (this.again);
      return queued;
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async settleReported(): Promise<void> {
    // A notice for an earlier policy version is replaced by the current one's (ContactNotices).
    await this.repository.settleOtherVersions(POLICY_VERSION);
    for (;;) {
      const rows = await this.repository.reported([...TERMINAL_STATUSES], BATCH);
      if (!rows.length) return;
      const now = this.clock.now();
      for (const r of rows) {
        // Each update is guarded by the message read here: a notice restarted meanwhile (a new number) is left alone.
        if (r.status === 'delivered' || r.status === 'received') {
          await this.repository.settleDelivered(r.id, r.message_id);
          continue;
        }
        const lastError = (r.status === 'refused' ? r.refusal_reason : r.error_code) ?? r.status;
        const decision = afterFailedNotice({ attempts: r.attempts, status: r.status, errorCode: r.error_code, refusalReason: r.refusal_reason }, now);
        if ('retryAt' in decision) {
          await this.repository.scheduleRetry(r.id, r.message_id, decision.retryAt, lastError);
        } else {
          this.logger.warn(
            { noticeId: r.id, attempts: r.attempts, reason: decision.giveUp, lastError },
            'contact notice given up: the contact was not informed',
          );
          await this.repository.giveUp(r.id, r.message_id, decision.giveUp, lastError);
        }
      }
    }
  }

  /** `stored`: SMS written for due notices, refused ones included; `queued`: of those, the ones to be sent. */
  private async sendDue(): Promise<{ queued: number; stored: number }> {
    let queued = 0;
    let stored = 0;
    const now = this.clock.now();
    const tried = new Set<string>();
    for (;;) {
      const due = await this.repository.due(now, [...tried], BATCH);
      if (!due.length) return { queued, stored };
      for (const id of due) {
        tried.add(id);
        try {
          const result = await this.db.transaction((m) => this.notices.retry(m, id, now));
          if (typeof result === 'object') stored += 1;
          if (typeof result === 'object' && result.status === 'queued') queued += 1;
        } catch (e) {
          if (e instanceof DomainError && e.kind === 'rate_limited') {
            // The central's daily SMS cap: the rest stay due and go after midnight UTC.
            this.logger.warn({ queued, code: e.code }, 'daily SMS cap reached; the remaining contact notice retries wait for a later check');
            return { queued, stored };
          }
          this.logger.error({ err: e, noticeId: id }, 'could not retry a contact notice');
        }
      }
    }
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { unlinkAlarmHistory } from './alarm-history-unlink.js';
import { Erasure } from './erasure.js';
import { ProcessorDeletions } from './processor-deletion.js';
import { RETENTION_ALARM_HISTORY, RETENTION_FORMER_CUSTOMERS, RETENTION_SMS_BODIES, RETENTION_SUPERVISION_SIGNALS } from './privacy-rights.processing.js';
import { ProcessingLog } from './processing-log.service.js';
import { Processing, type ProcessingDeclaration } from './processing.decorator.js';
import { ANONYMOUS_ID, cutoffs } from './retention-policy.js';

const ACTOR = { type: 'system', id: 'retention' } as const;
/** Subjects per processing-log entry, so one entry never grows without bound. */
const LOG_CHUNK = 500;
/** Alarms anonymised per transaction. */
const ALARM_BATCH = 500;
/** Heartbeats deleted per statement: a few hundred milliseconds each, well inside the statement timeout. */
const RETENTION_BATCH = 20_000;

/**
 * Storage limitation (Art. 5(1)(e)), run by the scheduler once a night and callable directly (tests,
 * an operator's script). The periods are in retention-policy.ts; the record of processing quotes
 * them from there. Each run writes one processing-log entry (or more, for many subjects), also
 * when there was nothing to do, so the log shows the job ran.
 */
@Injectable()
export class RetentionJobs {
  private readonly logger = new Logger(RetentionJobs.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly erasure: Erasure,
    private readonly log: ProcessingLog,
    private readonly processorDeletions: ProcessorDeletions,
  ) {}

  /** Former customers 12 months after the contract ended; contacts 12 months after removal or after they objected (STOP). */
  @Cron('0 15 3 * * *', { name: 'retention-former-customers' })
  @Processing(RETENTION_FORMER_CUSTOMERS)
  async eraseFormerCustomers(now = new Date()): Promise<{ customers: string[]; contacts: string[]; postponed: string[] }> {
    const { formerCustomers, removedContacts } = cutoffs(now);
    const customers = (await this.db.query(`SELECT id FROM customer WHERE ended_at < $1 ORDER BY ended_at`, [formerCustomers])) as Array<{ id: string }>;
    const erased: string[] = [];
    const postponed: string[] = [];
    for (const { id } of customers) {
      if (await this.tryErase(() => this.erasure.eraseCustomer(id, ACTOR))) erased.push(id);
      else postponed.push(id);
    }
    // A contact who objected (STOP) stays on the list, marked, so operators see why they are not texted; then goes the same way.
    const contacts = (await this.db.query(
      `SELECT id, customer_id FROM contact WHERE ended_at < $1 OR (status = 'opted_out' AND opted_out_at < $1) ORDER BY coalesce(ended_at, opted_out_at)`,
      [removedContacts],
    )) as Array<{
      id: string;
      customer_id: string;
    }>;
    const erasedContacts: string[] = [];
    for (const c of contacts) {
      if (await this.tryErase(() => this.erasure.eraseContact(c.customer_id, c.id, ACTOR))) erasedContacts.push(c.id);
      else postponed.push(c.id);
    }
    await this.record(RETENTION_FORMER_CUSTOMERS, [...erased, ...erasedContacts]);
    if (erased.length || erasedContacts.length || postponed.length) {
      this.logger.log(
        { customers: erased.length, contacts: erasedContacts.length, postponed: postponed.length },
        'retention: former customers and removed contacts',
      );
    }
    return { customers: erased, contacts: erasedContacts, postponed };
  }

  /** SMS texts after 90 days; a message still queued or sending, or about an open alarm, waits. */
  @Cron('0 25 3 * * *', { name: 'retention-sms-bodies' })
  @Processing(RETENTION_SMS_BODIES)
  async blankSmsBodies(now = new Date()): Promise<{ messages: number }> {
    const rows = (await this.db.query(
      `WITH u AS (
         UPDATE sms_message s SET body = '', updated_at = now()
          WHERE s.created_at < $1 AND s.body <> '' AND s.status NOT IN ('queued', 'sending')
            AND NOT EXISTS (SELECT 1 FROM alarm a WHERE a.id = s.alarm_id AND a.status = 'open')
          RETURNING s.customer_id, s.contact_id)
       SELECT count(*)::int AS n,
              coalesce(array_agg(DISTINCT customer_id) FILTER (WHERE customer_id IS NOT NULL), '{}') AS customers,
              coalesce(array_agg(DISTINCT contact_id) FILTER (WHERE contact_id IS NOT NULL), '{}') AS contacts
         FROM u`,
      [cutoffs(now).smsBodies],
    )) as Array<{ n: number; customers: string[]; contacts: string[] }>;
    await this.record(RETENTION_SMS_BODIES, [...rows[0].customers, ...rows[0].contacts]);
    return { messages: rows[0].n };
  }

  /**
   * Test signals and heartbeats after 90 days, unless they raised or joined an alarm (then they are
   * alarm history). In batches: a day's heartbeats at a large central are millions of rows, and one
   * statement for them would outlast the statement timeout every statement of the app has. The rows
   * are touched by nothing else; the BRIN index on received_at skips the recent blocks.
   */
  @Cron('0 45 3 * * *', { name: 'retention-supervision-signals' })
  @Processing(RETENTION_SUPERVISION_SIGNALS)
  async deleteOldSupervisionSignals(now = new Date()): Promise<{ signals: number }> {
    const cutoff = cutoffs(now).supervisionSignals;
    const customers = new Set<string>();
    let total = 0;
    for (;;) {
      const [row] = (await this.db.query(
        `WITH d AS (
           DELETE FROM panel_event WHERE id IN (
             SELECT id FROM panel_event WHERE class = 'test' AND alarm_id IS NULL AND received_at < $1 LIMIT $2)
           RETURNING customer_id)
         SELECT count(*)::int AS n, coalesce(array_agg(DISTINCT customer_id), '{}') AS customers FROM d`,
        [cutoff, RETENTION_BATCH],
      )) as Array<{ n: number; customers: string[] }>;
      total += row.n;
      for (const c of row.customers) customers.add(c);
      if (row.n < RETENTION_BATCH) break;
    }
    await this.record(RETENTION_SUPERVISION_SIGNALS, [...customers]);
    return { signals: total };
  }

  /** Alarm history 10 years after the alarm closed: unlinked from customer, panel and contacts, as an erasure does. */
  @Cron('0 35 3 * * *', { name: 'retention-alarm-history' })
  @Processing(RETENTION_ALARM_HISTORY)
  async anonymiseAlarmHistory(now = new Date()): Promise<{ alarms: number }> {
    const cutoff = cutoffs(now).alarmHistory;
    let total = 0;
    const subjects = new Set<string>();
    for (;;) {
      const batch = await this.db.transaction(async (m) => {
        const alarms = (await m.query(
          `SELECT id, customer_id, chain FROM alarm WHERE status = 'closed' AND closed_at < $1 AND customer_id <> $2 ORDER BY closed_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
          [cutoff, ANONYMOUS_ID, ALARM_BATCH],
        )) as Array<{ id: string; customer_id: string; chain: string[] }>;
        if (!alarms.length) return 0;
        const ids = alarms.map((a) => a.id);
        await unlinkAlarmHistory(m, ids);
        for (const a of alarms) {
          subjects.add(a.customer_id);
          a.chain.forEach((c) => subjects.add(c));
        }
        return alarms.length;
      });
      total += batch;
      if (batch < ALARM_BATCH) break;
    }
    // Their SMS's copies at the provider were queued with each batch.
    this.processorDeletions.kick();
    await this.record(RETENTION_ALARM_HISTORY, [...subjects]);
    return { alarms: total };
  }

  /** An open alarm postpones an erasure to the next run; anything else is a real failure. */
  private async tryErase(erase: () => Promise<unknown>): Promise<boolean> {
    try {
      await erase();
      return true;
    } catch (e) {
      if (e instanceof DomainError && e.kind === 'conflict') return false;
      throw e;
    }
  }

  private record(declaration: ProcessingDeclaration, subjectIds: string[]): Promise<void> {
    return recordRetentionRun(this.log, declaration, subjectIds);
  }
}

/**
 * A retention job's run in the processing log: one entry, also when there was nothing to do (the log
 * shows the job ran), or one per LOG_CHUNK subjects.
 */
export async function recordRetentionRun(log: ProcessingLog, declaration: ProcessingDeclaration, subjectIds: string[]): Promise<void> {
  const base = { actor: ACTOR, operation: declaration.operation, legalBasis: declaration.legalBasis, purpose: declaration.purpose };
  if (!subjectIds.length) return log.record({ ...base, subjectIds: [] });
  const entries = [];
  for (let i = 0; i < subjectIds.length; i += LOG_CHUNK) entries.push({ ...base, subjectIds: subjectIds.slice(i, i + LOG_CHUNK) });
  await log.recordMany(entries);
}

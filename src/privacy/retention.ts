import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { AlarmHistoryRepository } from './alarm-history.repository.js';
import { ContactDataRepository } from './contact-data.repository.js';
import { CustomerDataRepository } from './customer-data.repository.js';
import { Erasure } from './erasure.js';
import { ProcessorDeletions } from './processor-deletion.js';
import { RETENTION_ALARM_HISTORY, RETENTION_FORMER_CUSTOMERS, RETENTION_SMS_BODIES, RETENTION_SUPERVISION_SIGNALS } from './privacy-rights.processing.js';
import { ProcessingLog } from './processing-log.service.js';
import { Processing, type ProcessingDeclaration } from './processing.decorator.js';
import { cutoffs } from './retention-policy.js';
import { SubjectMessagesRepository } from './subject-messages.repository.js';

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
    private readonly customers: CustomerDataRepository,
    private readonly contacts: ContactDataRepository,
    private readonly messages: SubjectMessagesRepository,
    private readonly alarmHistory: AlarmHistoryRepository,
  ) {}

  /** Former customers 12 months after the contract ended; contacts 12 months after removal or after they objected (STOP). */
  @Cron('0 15 3 * * *', { name: 'retention-former-customers' })
  @Processing(RETENTION_FORMER_CUSTOMERS)
  async eraseFormerCustomers(now = new Date()): Promise<{ customers: string[]; contacts: string[]; postponed: string[] }> {
    const { formerCustomers, removedContacts } = cutoffs(now);
    const customers = await this.customers.endedBefore(formerCustomers);
    const erased: string[] = [];
    const postponed: string[] = [];
    for (const id of customers) {
      if (await this.tryErase(() => this.erasure.eraseCustomer(id, ACTOR))) erased.push(id);
      else postponed.push(id);
    }
    // A contact who objected (STOP) stays on the list, marked, so operators see why they are not texted; then goes the same way.
    const contacts = await this.contacts.endedOrOptedOutBefore(removedContacts);
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
    const blanked = await this.messages.blankBodiesBefore(cutoffs(now).smsBodies);
    await this.record(RETENTION_SMS_BODIES, [...blanked.customers, ...blanked.contacts]);
    return { messages: blanked.n };
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
      const row = await this.alarmHistory.deleteSupervisionSignalsBefore(cutoff, RETENTION_BATCH);
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
        const alarms = await this.alarmHistory.lockClosedBefore(m, cutoff, ALARM_BATCH);
        if (!alarms.length) return 0;
        await this.alarmHistory.unlink(
          m,
          alarms.map((a) => a.id),
        );
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

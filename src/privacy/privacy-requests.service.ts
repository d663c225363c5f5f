import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { Clock } from '../common/clock.js';
import { Erasure, type ErasureResult } from './erasure.js';
import type { CreatePrivacyRequestDto, PrivacyRequestQueryDto, UpdatePrivacyRequestDto } from './privacy-requests.dto.js';
import { PrivacyRequestsRepository, type PrivacyRequestChanges, type PrivacyRequestRow } from './privacy-requests.repository.js';
import { calendarDate, extendedDueAt, requestDueAt } from './request-deadline.js';
import { extensionNotice } from './request-notices.js';
import { SubjectAccess } from './subject-access.js';

const OPEN = ['open', 'extended'];

/**
 * The register of data subjects' requests: each one's deadline in the company's calendar
 * (Art. 12(3)), its identity check (Art. 12(6)), one extension told within the first month, its
 * outcome (Art. 12(4)), and what was produced for it. Export and erasure run from here are recorded
 * on the request; an export only by its fingerprint, so personal data does not pile up in the register.
 */
@Injectable()
export class PrivacyRequests {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly requests: PrivacyRequestsRepository,
    private readonly access: SubjectAccess,
    private readonly erasure: Erasure,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async register(dto: CreatePrivacyRequestDto, operatorId: string) {
    const now = this.clock.now();
    const receivedAt = dto.receivedAt ? new Date(dto.receivedAt) : now;
    if (isNaN(receivedAt.getTime())) throw new DomainError('invalid', 'bad_date', 'receivedAt must be a date-time that exists, e.g. 2027-01-31T09:00:00+01:00');
    if (receivedAt > now) throw new DomainError('invalid', 'received_in_future', 'receivedAt must not be in the future');
    const subject = await this.requests.subject(dto.subjectType, dto.subjectId);
    if (!subject) {
      throw new DomainError('unprocessable', 'subject_not_found', `subjectId: no ${dto.subjectType} ${dto.subjectId} is held (unknown, or already erased)`);
    }
    const dueAt = requestDueAt(receivedAt, this.config.timeZone);
    const row = await this.requests.insert({
      kind: dto.kind,
      subject_type: dto.subjectType,
      subject_id: dto.subjectId,
      customer_id: subject.customerId,
      received_at: receivedAt,
      original_due_at: dueAt,
      due_at: dueAt,
      identity_check: dto.identityCheck ?? null,
      note: dto.note ?? null,
      created_by: operatorId,
    });
    return this.view(row, now);
  }

  async list(q: PrivacyRequestQueryDto) {
    const now = this.clock.now();
    const { rows, total } = await this.requests.list({
      status: q.status,
      overdueAt: q.overdue === 'true' ? now : undefined,
      page: q.page ?? 1,
      limit: q.limit ?? 100,
    });
    return { items: rows.map((r) => this.view(r, now)), total };
  }

  async get(id: string) {
    return this.view(await this.found(id), this.clock.now());
  }

  async update(id: string, dto: UpdatePrivacyRequestDto) {
    if (dto.status === undefined && dto.identityCheck === undefined) {
      throw new DomainError('invalid', 'nothing_to_change', 'give status (extended, done or refused) or identityCheck');
    }
    if (dto.extensionReason !== undefined && dto.status !== 'extended') {
      throw new DomainError('invalid', 'reason_without_extension', 'extensionReason goes with status extended');
    }
    if (dto.outcome !== undefined && dto.status !== 'done' && dto.status !== 'refused') {
      throw new DomainError('invalid', 'outcome_without_closing', 'outcome goes with status done or refused');
    }
    if (dto.status === 'extended' && !dto.extensionReason) {
      throw new DomainError(
        'invalid',
        'extension_reason_required',
        'extensionReason is required to extend a request: the person must be told why (Art. 12(3))',
      );
    }
    if (dto.status === 'refused' && !dto.outcome) {
      throw new DomainError('invalid', 'refusal_reason_required', 'outcome is required to refuse a request: the reason the person is told (Art. 12(4))');
    }
    const now = this.clock.now();
    const row = await this.db.transaction(async (m) => {
      const r = await this.requests.find(id, m, true);
      if (!r) throw notFound('privacy request', id);
      this.refuseClosed(r);
      const changes: PrivacyRequestChanges = {};
      if (dto.identityCheck !== undefined) changes.identity_check = dto.identityCheck;
      if (dto.status === 'open') throw new DomainError('conflict', 'invalid_transition', `request ${id} is ${r.status}; a request cannot be set back to open`);
      if (dto.status === 'extended') Object.assign(changes, await this.extension(r, dto.extensionReason!, now));
      if (dto.status === 'done') {
        if (!r.identity_check && !dto.identityCheck) {
          throw new DomainError(
            'conflict',
            'identity_not_checked',
            `request ${id} cannot be done before it says how the person's identity was checked (identityCheck, Art. 12(6))`,
          );
        }
        Object.assign(changes, { status: 'done', outcome: dto.outcome, closed_at: now });
      }
      if (dto.status === 'refused') Object.assign(changes, { status: 'refused', outcome: dto.outcome, closed_at: now });
      return this.requests.update(m, id, changes);
    });
    return this.view(row, now);
  }

  /** Art. 15 and 20: the subject's export, recorded on the request by its SHA-256 and size. */
  async export(id: string, operatorId: string) {
    const r = await this.found(id);
    this.refuseClosed(r);
    this.refuseKind(r, ['access', 'portability'], 'an export');
    this.refuseUnchecked(r, 'exported');
    const now = this.clock.now();
    const document =
      r.subject_type === 'customer' ? await this.access.customer(r.subject_id, now) : await this.access.contact(r.customer_id, r.subject_id, now);
    // The same bytes the client receives: Nest sends the answer as JSON.stringify of it.
    const bytes = Buffer.from(JSON.stringify(document), 'utf8');
    await this.db.transaction((m) =>
      this.requests.addDocument(m, id, {
        kind: 'export',
        at: now.toISOString(),
        by: operatorId,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.length,
      }),
    );
    return { request: r, document };
  }

  /** Art. 17: the subject's erasure, its answer recorded on the request. */
  async erase(id: string, operatorId: string): Promise<{ request: PrivacyRequestRow; result: ErasureResult }> {
    const r = await this.found(id);
    this.refuseClosed(r);
    this.refuseKind(r, ['erasure'], 'an erasure');
    this.refuseUnchecked(r, 'erased');
    const by = { type: 'operator' as const, id: operatorId };
    const result =
      r.subject_type === 'customer' ? await this.erasure.eraseCustomer(r.subject_id, by) : await this.erasure.eraseContact(r.customer_id, r.subject_id, by);
    const now = this.clock.now();
    await this.db.transaction((m) => this.requests.addDocument(m, id, { kind: 'erasure', at: now.toISOString(), by: operatorId, result }));
    return { request: r, result };
  }

  private async extension(r: PrivacyRequestRow, reason: string, now: Date): Promise<PrivacyRequestChanges> {
    const zone = this.config.timeZone;
    if (r.status === 'extended') {
      throw new DomainError(
        'conflict',
        'already_extended',
        `request ${r.id} was already extended on ${calendarDate(r.extended_at!, zone)}; Art. 12(3) allows one extension of two months`,
      );
    }
    if (now > r.original_due_at) {
      throw new DomainError(
        'conflict',
        'extension_too_late',
        `request ${r.id} was due on ${calendarDate(r.original_due_at, zone)}: an extension must be decided and told to the person within the first month (Art. 12(3))`,
      );
    }
    const dueAt = extendedDueAt(r.received_at, zone);
    const subject = await this.requests.subject(r.subject_type, r.subject_id);
    return {
      status: 'extended',
      due_at: dueAt,
      extension_reason: reason,
      extended_at: now,
      extension_notice: extensionNotice(subject?.language ?? 'en', {
        kind: r.kind,
        receivedDate: calendarDate(r.received_at, zone),
        dueDate: calendarDate(dueAt, zone),
        reason,
      }),
    };
  }

  private async found(id: string): Promise<PrivacyRequestRow> {
    const r = await this.requests.find(id);
    if (!r) throw notFound('privacy request', id);
    return r;
  }

  private refuseClosed(r: PrivacyRequestRow): void {
    if (OPEN.includes(r.status)) return;
    throw new DomainError(
      'conflict',
      'request_closed',
      `request ${r.id} was closed as ${r.status} on ${calendarDate(r.closed_at!, this.config.timeZone)}; a closed request does not change`,
    );
  }

  private refuseKind(r: PrivacyRequestRow, kinds: string[], what: string): void {
    if (kinds.includes(r.kind)) return;
    throw new DomainError('conflict', 'wrong_request_kind', `${what} answers a request for ${kinds.join(' or ')}; request ${r.id} is for ${r.kind}`);
  }

  /** Handing a person's data to someone else, or erasing it on their word, is what Art. 12(6) guards against. */
  private refuseUnchecked(r: PrivacyRequestRow, done: string): void {
    if (r.identity_check) return;
    throw new DomainError(
      'conflict',
      'identity_not_checked',
      `request ${r.id}: record how the person's identity was checked (identityCheck, Art. 12(6)) before their data is ${done}`,
    );
  }

  view(r: PrivacyRequestRow, now: Date) {
    const zone = this.config.timeZone;
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      id: r.id,
      kind: r.kind,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      customerId: r.customer_id,
      status: r.status,
      receivedAt: iso(r.received_at),
      dueAt: iso(r.due_at),
      /** The due date as the company's calendar shows it (the whole of that day counts). */
      dueDate: calendarDate(r.due_at, zone),
      originalDueAt: iso(r.original_due_at),
      overdue: OPEN.includes(r.status) && r.due_at < now,
      identityCheck: r.identity_check,
      note: r.note,
      extensionReason: r.extension_reason,
      extendedAt: iso(r.extended_at),
      extensionNotice: r.extension_notice,
      outcome: r.outcome,
      closedAt: iso(r.closed_at),
      documents: r.documents,
      createdBy: r.created_by,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    };
  }
}

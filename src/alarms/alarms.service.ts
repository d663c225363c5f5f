import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { notFound } from '../common/domain-error.js';
import { firstRow, rows } from '../database/rows.js';
import type { Address } from '../customers/customer.entity.js';
import type { AlarmLogKind, AlarmRow } from '../alarm-model/alarm-state.js';

/**
 * Within one transaction everything shares a time; the order is then: the event, what the
 * escalation decided (opened, stage, step skipped), an inbound reply, what it caused
 * (acknowledged, actions, closed), and the SMS sent.
 */
const LOG_ORDER: Partial<Record<AlarmLogKind, number>> = { opened: 1, stage: 1, step_skipped: 1, panel_reporting: 1 };

/**
 * The operator queue's order (docs/alarm-handling.md#queue-order). Panic and duress are at the top whatever
 * their stage: a life may be at stake and nobody is texted by itself. Then alarms nobody could be
 * reached for, then fire, gas and medical, then burglary and the rest, then technical (a low-priority
 * alarm, even when its owner was not reached). An acknowledged alarm has someone on it: last. Oldest
 * first within each.
 */
export const QUEUE_RANK = `CASE
    WHEN a.stage = 'acknowledged' THEN 5
    WHEN a.class IN ('panic', 'duress') THEN 0
    WHEN a.class = 'technical' THEN 4
    WHEN a.stage = 'unreached' THEN 1
    WHEN a.class IN ('fire', 'gas', 'medical') THEN 2
    ELSE 3 END`;

/** One alarm SMS as the queue shows it: to whom (the owner, or which contact) and how far it got. */
export interface TextedView {
  to: 'owner' | 'contact';
  contactId: string | null;
  /** The contact's name (null for the owner, or a contact erased since). */
  name: string | null;
  status: string;
}

type AlarmListRow = AlarmRow & {
  customer_name: string | null;
  alarm_address: Address | null;
  panel_label: string | null;
  handler_name: string | null;
  rank: number;
  texted: TextedView[];
  trigger: { code: string; text: string | null } | null;
  zone_name: string | null;
  restored_at: Date | null;
};

export interface AlarmQuery {
  status?: 'open' | 'closed';
  customerId?: string;
  page?: number;
  limit?: number;
}

/** The alarm as the API shows it (docs/api-contract.md#alarms), plus what an operator's queue needs to read it. */
export function toAlarmView(a: AlarmListRow) {
  const contactStep = a.stage === 'contacts' && a.step > 0;
  return {
    id: a.id,
    customerId: a.customer_id,
    panelId: a.panel_id,
    class: a.class,
    zone: a.zone,
    /** The customer's name for the zone (premises), or null when it has none. */
    zoneName: a.zone_name,
    reason: a.reason,
    status: a.status,
    stage: a.stage,
    acknowledgedBy: a.acknowledged_by,
    acknowledgedAt: a.acknowledged_at?.toISOString() ?? null,
    openedAt: a.opened_at.toISOString(),
    closedAt: a.closed_at?.toISOString() ?? null,
    lastEventAt: a.last_event_at.toISOString(),
    eventCount: a.event_count,
    /** 0 is the worst: the queue's order. */
    priority: a.rank,
    /** Who has been texted about it, oldest first, with each SMS's status (an addition to the contract, for the queue). */
    texted: a.texted,
    /**
     * What set it off: the first panel event's code and text (an addition to the contract, so the queue can
     * tell a mains loss from a low battery). Null for an alarm the system opened itself: see `reason`.
     */
    trigger: a.trigger,
    /**
     * When the panel last reported the condition over (a `BR` after a `BA`), while no new event of it
     * came after: the queue row and the alarm header say "restored" (an addition to the contract).
     */
    restored: a.restored_at !== null,
    restoredAt: a.restored_at?.toISOString() ?? null,
    customer: { name: a.customer_name, alarmAddress: a.alarm_address },
    panelLabel: a.panel_label,
    /** The operator handling it (docs/api-contract.md#operator-procedures), or null. */
    handler: a.handler_id ? { id: a.handler_id, name: a.handler_name } : null,
    escalation: {
      step: a.stage === 'owner' ? 'owner' : contactStep ? 'contact' : null,
      contactId: contactStep ? (a.chain[a.step - 1] ?? null) : null,
      /** The contacts frozen when the alarm opened, in the order they are tried. */
      chain: a.chain,
      nextStepAt: a.next_step_at?.toISOString() ?? null,
      ownerWaitSeconds: a.owner_wait_seconds,
      contactWaitSeconds: a.contact_wait_seconds,
    },
    /** The action plan frozen when it opened, each step with who did it (null for alarms opened before plans existed). */
    actionPlan: a.action_plan ?? null,
  };
}

export type AlarmView = ReturnType<typeof toAlarmView>;

// `texted` comes with the alarm, so the queue is one request, not one more per alarm shown.
const SELECT = `SELECT a.*, c.name AS customer_name, c.alarm_address, p.label AS panel_label, h.name AS handler_name, ${QUEUE_RANK} AS rank,
    (SELECT coalesce(json_agg(json_build_object(
              'to', CASE WHEN m.purpose = 'alarm_owner' THEN 'owner' ELSE 'contact' END,
              'contactId', m.contact_id, 'name', k.name, 'status', m.status) ORDER BY m.created_at, m.id), '[]'::json)
       FROM sms_message m LEFT JOIN contact k ON k.id = m.contact_id
      WHERE m.alarm_id = a.id AND m.direction = 'outbound' AND m.purpose IN ('alarm_owner', 'alarm_contact')) AS texted,
    (SELECT json_build_object('code', e.code, 'text', e.text) FROM panel_event e
      WHERE e.alarm_id = a.id ORDER BY e.received_at, e.id LIMIT 1) AS trigger,
    (SELECT premises_name(pr.zones, a.zone) FROM premises pr WHERE pr.customer_id = a.customer_id) AS zone_name,
    (SELECT CASE WHEN e.restore THEN e.received_at END FROM panel_event e
      WHERE e.alarm_id = a.id ORDER BY e.received_at DESC, e.id DESC LIMIT 1) AS restored_at
  FROM alarm a LEFT JOIN customer c ON c.id = a.customer_id LEFT JOIN panel p ON p.id = a.panel_id
    LEFT JOIN operator h ON h.id = a.handler_id`;

// Raw rows of the timeline's three queries, shaped below; typed per column when this SQL moves into a repository.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type QueryRows = Array<Record<string, any>>;

@Injectable()
export class AlarmsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Open alarms first, worst first, oldest first. */
  async list(q: AlarmQuery): Promise<{ items: AlarmView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.status) where.push(`a.status = $${params.push(q.status)}`);
    if (q.customerId) where.push(`a.customer_id = $${params.push(q.customerId)}`);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = q.limit ?? 50;
    const page = q.page ?? 1;
    const [{ total }] = await rows<{ total: number }>(this.dataSource, `SELECT count(*)::int AS total FROM alarm a ${filter}`, params);
    const listed = await rows<AlarmListRow>(
      this.dataSource,
      `${SELECT} ${filter}
        ORDER BY (a.status = 'open') DESC, rank, a.opened_at, a.id
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, (page - 1) * limit],
    );
    return { items: listed.map(toAlarmView), total };
  }

  /** Several alarms as the list shows them, in one query (the live feed); missing ids are left out. */
  async views(ids: string[]): Promise<AlarmView[]> {
    if (ids.length === 0) return [];
    const found = await rows<AlarmListRow>(this.dataSource, `${SELECT} WHERE a.id = ANY($1::uuid[])`, [ids]);
    return found.map(toAlarmView);
  }

  async view(id: string, m: EntityManager = this.dataSource.manager): Promise<AlarmView | undefined> {
    const row = await firstRow<AlarmListRow>(m, `${SELECT} WHERE a.id = $1`, [id]);
    return row ? toAlarmView(row) : undefined;
  }

  /** The alarm with its whole timeline (docs/api-contract.md#alarms: events, SMS with status, replies, acknowledgements, actions, in order). */
  async get(id: string) {
    const alarm = await this.view(id);
    if (!alarm) throw notFound('alarm', id);
    return { ...alarm, timeline: await this.timeline(id) };
  }

  private async timeline(alarmId: string): Promise<Array<Record<string, unknown> & { type: string; at: string }>> {
    const [events, messages, log] = await Promise.all([
      this.dataSource.query(
        `SELECT e.id, e.event_id, e.code, e.class, e.restore, e.arming, e.zone, e.panel_user, e.method, e.text, e.occurred_at, e.received_at,
                premises_name(pr.zones, e.zone) AS zone_name, premises_name(pr.users, e.panel_user) AS user_name
           FROM panel_event e LEFT JOIN premises pr ON pr.customer_id = e.customer_id WHERE e.alarm_id = $1`,
        [alarmId],
      ) as Promise<QueryRows>,
      this.dataSource.query(
        `SELECT id, direction, to_phone, from_phone, body, purpose, legal_basis, contact_id, status, error_code, refusal_reason,
                reply_kind, sent_at, created_at, updated_at
           FROM sms_message WHERE alarm_id = $1`,
        [alarmId],
      ) as Promise<QueryRows>,
      this.dataSource.query(`SELECT id, at, kind, operator_id, data FROM alarm_log WHERE alarm_id = $1`, [alarmId]) as Promise<QueryRows>,
    ]);
    const entries: Array<{ at: Date; order: number; seq: number; entry: Record<string, unknown> & { type: string; at: string } }> = [];
    for (const e of events) {
      entries.push({
        at: e.received_at,
        order: 0,
        seq: 0,
        entry: {
          type: 'event',
          at: e.received_at.toISOString(),
          eventId: e.event_id,
          code: e.code,
          class: e.class,
          restore: e.restore,
          arming: e.arming,
          zone: e.zone,
          zoneName: e.zone_name,
          user: e.panel_user,
          userName: e.user_name,
          method: e.method,
          text: e.text,
          occurredAt: e.occurred_at.toISOString(),
        },
      });
    }
    for (const l of log) {
      entries.push({
        at: l.at,
        order: LOG_ORDER[l.kind as AlarmLogKind] ?? 2.5,
        seq: Number(l.id),
        entry: { ...l.data, type: l.kind, at: l.at.toISOString(), ...(l.operator_id ? { operatorId: l.operator_id } : {}) },
      });
    }
    for (const s of messages) {
      const inbound = s.direction === 'inbound';
      entries.push({
        at: s.created_at,
        order: inbound ? 2 : 2.7,
        seq: 0,
        entry: inbound
          ? { type: 'reply', at: s.created_at.toISOString(), messageId: s.id, from: s.from_phone, body: s.body, contactId: s.contact_id }
          : {
              type: 'sms',
              at: s.created_at.toISOString(),
              messageId: s.id,
              purpose: s.purpose,
              legalBasis: s.legal_basis,
              to: s.to_phone,
              contactId: s.contact_id,
              body: s.body,
              status: s.status,
              sentAt: s.sent_at?.toISOString() ?? null,
              errorCode: s.error_code,
              refusalReason: s.refusal_reason,
              ...(s.reply_kind ? { replyKind: s.reply_kind } : {}),
            },
      });
    }
    entries.sort((x, y) => x.at.getTime() - y.at.getTime() || x.order - y.order || x.seq - y.seq);
    return entries.map((e) => e.entry);
  }
}

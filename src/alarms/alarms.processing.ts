import { ALARM_HISTORY_RETENTION } from '../alarm-model/alarm-history.processing.js';
import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';
import { RETENTION_TEXT } from '../privacy/retention-policy.js';
import { HEALTH_AT_ALARM } from '../privacy/special-categories.js';

/** What every operation on alarms shares; each adds its operation name and purpose. */
export const ALARM_HANDLING: Omit<ProcessingDeclaration, 'operation' | 'purpose'> = {
  legalBasis: 'contract',
  legalBasisNote: "the alarm monitoring contract: the alarm central handles the customer's alarms and reaches the owner, then the contacts they named",
  dataSubjects: ['customers', 'alarm contacts'],
  dataCategories: [
    'alarm class, zone and times',
    "the names the customer gave the zones and the panel's users (premises)",
    'customer name and alarm address',
    'SMS sent about the alarm, their delivery status and replies',
    "who acknowledged the alarm and the operators' outcomes and notes",
    "the action plan the alarm is handled by (the customer's own may name people or access details), and which operator did each step when",
  ],
  // The police get alarm history only on a request the law entitles them to make.
  recipients: ['staff', 'police'],
  retention: ALARM_HISTORY_RETENTION,
  specialCategories: HEALTH_AT_ALARM,
};

/** POST /api/panels/:panelId/events, and each event of a SIA DC-09 frame (the same operation by another transport). */
export const PANEL_EVENTS_RECEIVE: ProcessingDeclaration = {
  operation: 'panels.events.receive',
  purpose: "Receive the signals of the customer's alarm panel and handle the alarm they raise",
  legalBasis: 'contract',
  legalBasisNote: 'the alarm monitoring contract with the customer',
  dataSubjects: ['customers', "users of the customer's alarm panel (by panel user number)"],
  dataCategories: [
    'event code and class',
    'zone and area',
    'panel user number',
    'arming method',
    'time of the event',
    'time the panel was last heard from',
    'extra data a DC-09 panel sends with an event (e.g. position, MAC address, verification link)',
  ],
  recipients: ['staff'],
  specialCategories: HEALTH_AT_ALARM,
  // What a signal is decides how long it is kept: the three rules that apply to panel_event rows.
  retention: `signals about an alarm (that opened, joined or restored it): ${ALARM_HISTORY_RETENTION}; ${RETENTION_TEXT.supervisionSignals}; ${RETENTION_TEXT.otherPanelSignals}`,
};

/** GET /api/customers/:id/arming-history. */
export const ARMING_HISTORY_READ: ProcessingDeclaration = {
  operation: 'customers.arming_history.read',
  purpose: 'Show when and how the alarm was armed and disarmed, and by which panel user, to handle an alarm or a customer question',
  legalBasis: 'contract',
  legalBasisNote: 'arm/disarm history is part of the alarm monitoring contract',
  dataSubjects: ['customers', "users of the customer's alarm panel (by panel user number)"],
  dataCategories: [
    'time of arming and disarming',
    'method (keypad, app, tag, remote)',
    'panel user number',
    'the name the customer gave the panel user (premises)',
  ],
  recipients: ['staff'],
  retention: RETENTION_TEXT.armingHistory,
};

/** POST /api/alarms/:id/actions: the outcomes, including hand-offs to guards and emergency services. */
export const ALARM_ACTIONS: ProcessingDeclaration = {
  ...ALARM_HANDLING,
  operation: 'alarms.actions',
  purpose: 'Record what the operator did about an alarm: who was reached, guard or emergency services, false alarm, resolved',
  legalBasisNote:
    'contract for recording the outcome; a hand-off to a guard company or emergency services is made under vital interests ' +
    'for fire, gas, medical, panic and duress alarms, and under the contract for the rest',
  recipients: ['staff', 'guard_company', 'emergency_services', 'police'],
};

/** The supervision job opening "panel offline" alarms. */
export const PANEL_SUPERVISION: ProcessingDeclaration = {
  operation: 'alarms.supervision.panel_offline',
  purpose: 'Notice a panel that stopped reporting (its test signal is missing) and open a technical alarm for it',
  legalBasis: 'contract',
  legalBasisNote: 'supervision of the panel is part of the alarm monitoring contract',
  dataSubjects: ['customers'],
  dataCategories: ['time the panel was last heard from', 'supervision interval'],
  recipients: ['staff'],
  retention: ALARM_HISTORY_RETENTION,
};

/**
 * A panel's machine supervision (heartbeats, DC-09 link tests, test signals that raise no alarm),
 * counted per panel and UTC day as it arrives and written to the processing log as one entry per
 * panel and day when the day is closed (PanelSupervisionDays), instead of one entry per signal.
 */
export const PANEL_SUPERVISION_DAY: ProcessingDeclaration = {
  operation: 'panels.supervision.day',
  purpose: "Account in the processing log, once a day per panel, for the supervision signals received from the customer's alarm panel",
  legalBasis: 'contract',
  legalBasisNote: 'supervision of the panel is part of the alarm monitoring contract',
  dataSubjects: ['customers'],
  dataCategories: ['the number of supervision signals of the panel in a day, and the times of the first and the last'],
  recipients: ['dpo'],
  retention: 'the count of the current day until it is closed (the next hour after midnight UTC), then one processing-log entry, kept as the log is',
};

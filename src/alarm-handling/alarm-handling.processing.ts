import { ALARM_ACTIONS, ALARM_HANDLING } from '../alarms/alarms.processing.js';
import { OPERATOR_ACCOUNTS } from '../operators/operators.processing.js';
import type { ProcessingDeclaration } from '../privacy/processing.decorator.js';

/** POST /api/alarms/:id/calls. */
export const ALARM_CALLS: ProcessingDeclaration = {
  ...ALARM_HANDLING,
  operation: 'alarms.calls',
  purpose: "Record the operator's phone calls about an alarm (to whom, the outcome, a note), so every operator knows who was already called",
  legalBasisNote:
    'the alarm monitoring contract for calls to the owner and the contacts they named; a call to emergency services or a guard ' +
    'is made under vital interests for fire, gas, medical, panic and duress alarms',
  dataCategories: [...ALARM_HANDLING.dataCategories, 'phone calls made about the alarm: to whom, number dialled, outcome, note'],
  recipients: ['staff', 'guard_company', 'emergency_services', 'police'],
};

/** POST and DELETE /api/alarms/:id/claim. */
export const ALARM_CLAIMS: ProcessingDeclaration = {
  ...ALARM_HANDLING,
  operation: 'alarms.claims',
  purpose: 'Record which operator is handling an alarm (claim, hand-over, release), so two operators do not work it unknowingly',
};

/** POST /api/alarms/actions: one outcome recorded on many alarms (a storm from one power cut). */
export const ALARM_BULK_ACTIONS: ProcessingDeclaration = {
  ...ALARM_ACTIONS,
  operation: 'alarms.actions.bulk',
  purpose: 'Record one outcome on many alarms of the same cause at once (acknowledge, resolve, false alarm, note), on each alarm',
};

/** GET /api/alarm-handlers: whom an alarm can be handed to. */
export const ALARM_HANDLERS_LIST: ProcessingDeclaration = {
  ...OPERATOR_ACCOUNTS,
  operation: 'alarms.handlers.list',
  purpose: 'Show the operators an alarm can be handed over to (name only)',
  dataCategories: ['name', 'role'],
};

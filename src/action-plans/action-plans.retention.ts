import type { RetentionRule } from '../privacy/retention-rule.js';

export const ACTION_PLAN_RETENTION: RetentionRule[] = [
  {
    table: 'action_plan',
    period: { while: 'the plan is in use' },
    end: 'kept',
    reason: 'no personal data beyond the id of the operator who last changed it',
    text: {
      en: 'The default action plans (no personal data) are kept while they are in use.',
      sv: 'Standardåtgärdsplanerna (inga personuppgifter) sparas så länge de används.',
      nb: 'Standard tiltaksplaner (ingen personopplysninger) lagres så lenge de er i bruk.',
    },
    carriedOutBy: 'replaced when an admin changes them',
  },
  {
    table: 'customer_action_plan',
    period: { while: 'the customer exists' },
    end: 'deleted',
    reason: "part of the customer's contract: how their alarms are handled",
    text: {
      en: "A customer's own action plans are kept with the customer and erased with them.",
      sv: 'En kunds egna åtgärdsplaner sparas med kunden och raderas med den.',
      nb: 'En kundes egne tiltaksplaner lagres med kunden og slettes sammen med den.',
    },
    carriedOutBy: 'erasure of the customer (ON DELETE CASCADE)',
  },
];

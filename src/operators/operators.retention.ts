import { DISABLED_OPERATOR_MONTHS } from '../privacy/retention-policy.js';
import type { RetentionRule } from '../privacy/retention-rule.js';

export const OPERATOR_RETENTION: RetentionRule[] = [
  {
    table: 'operator',
    period: { amount: DISABLED_OPERATOR_MONTHS, unit: 'months' },
    end: 'anonymised',
    reason:
      "time for a question about a departed operator's work while their name still helps; the row stays, erased, so alarm " +
      'timelines and the processing log keep referring to an account (never the last admin)',
    text: {
      en: `Operator accounts are kept while the operator works here. ${DISABLED_OPERATOR_MONTHS} months after an account is disabled, its name, email, password and sessions are erased; its id stays, as "an erased operator".`,
      sv: `Operatörskonton sparas så länge operatören arbetar här. ${DISABLED_OPERATOR_MONTHS} månader efter att ett konto har stängts av raderas namn, e-postadress, lösenord och sessioner; kontots id finns kvar, som "en raderad operatör".`,
      nb: `Operatørkontoer lagres så lenge operatøren arbeider her. ${DISABLED_OPERATOR_MONTHS} måneder etter at en konto er deaktivert, slettes navn, e-postadresse, passord og økter; kontoens id blir stående, som "en slettet operatør".`,
    },
    carriedOutBy: 'TableRetentionJobs.eraseDisabledOperators',
  },
];

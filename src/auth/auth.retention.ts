import type { RetentionRule } from '../privacy/retention-rule.js';
import { PER_ADDRESS } from './login-throttle.js';

const LONGEST_WINDOW_HOURS = (PER_ADDRESS.duration + PER_ADDRESS.blockDuration) / 3600;

export const AUTH_RETENTION: RetentionRule[] = [
  {
    table: 'operator_session',
    period: { while: 'the session has not expired' },
    end: 'deleted',
    reason: 'a session is only needed while it can be used',
    text: {
      en: 'Login sessions are deleted once they have expired or ended (at the latest the next night).',
      sv: 'Inloggningssessioner raderas när de har löpt ut eller avslutats (senast natten därpå).',
      nb: 'Innloggingsøkter slettes når de er utløpt eller avsluttet (senest natten etter).',
    },
    carriedOutBy: 'TableRetentionJobs.deleteExpiredSessionsAndCounters',
  },
  {
    table: 'login_failure',
    period: { amount: LONGEST_WINDOW_HOURS, unit: 'hours' },
    end: 'deleted',
    reason: 'counters of failed logins matter only until their window (and any block) ends',
    text: {
      en: `Counters of failed logins (a hash of the email address, the IP address) are deleted when their window ends, after at most ${LONGEST_WINDOW_HOURS} hours (at the latest the next night).`,
      sv: `Räknare för misslyckade inloggningar (ett hashvärde av e-postadressen, IP-adressen) raderas när deras period är slut, efter högst ${LONGEST_WINDOW_HOURS} timmar (senast natten därpå).`,
      nb: `Tellere for mislykkede innlogginger (en hash av e-postadressen, IP-adressen) slettes når perioden deres er over, etter høyst ${LONGEST_WINDOW_HOURS} timer (senest natten etter).`,
    },
    carriedOutBy: 'TableRetentionJobs.deleteExpiredSessionsAndCounters',
  },
];

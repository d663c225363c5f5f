import { Foundation1763900000000 } from './1763900000000-foundation.js';
import { Registers1763900100000 } from './1763900100000-registers.js';
import { ProcessingLog1763900200000 } from './1763900200000-processing-log.js';
import { Sms1763900300000 } from './1763900300000-sms.js';
import { Alarms1763900400000 } from './1763900400000-alarms.js';
import { ContactNotice1763900500000 } from './1763900500000-contact-notice.js';
import { PrivacyRights1763900600000 } from './1763900600000-privacy-rights.js';
import { PanelSecretChanges1763900700000 } from './1763900700000-panel-secret-changes.js';
import { AlarmUrgency1763900800000 } from './1763900800000-alarm-urgency.js';
import { SmsSendRate1763900900000 } from './1763900900000-sms-send-rate.js';
import { SupervisionSignalRetention1764000000000 } from './1764000000000-supervision-signal-retention.js';
import { ProcessingLogCheckpoint1764100000000 } from './1764100000000-processing-log-checkpoint.js';
import { Dc09Panels1764200000000 } from './1764200000000-dc09-panels.js';
import { EncryptionKeyCheck1764300000000 } from './1764300000000-encryption-key-check.js';
import { OperatorDisable1764400000000 } from './1764400000000-operator-disable.js';
import { SmsCaps1764500000000 } from './1764500000000-sms-caps.js';
import { ReplyCodeGuard1764600000000 } from './1764600000000-reply-code-guard.js';
import { ActionPlans1764800000000 } from './1764800000000-action-plans.js';
import { Premises1764900000000 } from './1764900000000-premises.js';
import { AlarmHandling1765000000000 } from './1765000000000-alarm-handling.js';

import { CustomerSearch1765200000000 } from './1765200000000-customer-search.js';
import { PrivacyRequests1765300000000 } from './1765300000000-privacy-requests.js';
import { OperatorErasure1765310000000 } from './1765310000000-operator-erasure.js';
import { ProcessingLogRetention1765320000000 } from './1765320000000-processing-log-retention.js';
import { Restrictions1765330000000 } from './1765330000000-restrictions.js';
import { ContactNoticeRetry1765340000000 } from './1765340000000-contact-notice-retry.js';
import { ProcessorDeletion1765360000000 } from './1765360000000-processor-deletion.js';
/** Every migration, in order. Listed by hand because ESM has no glob loading. */
export const migrations = [
  Foundation1763900000000,
  Registers1763900100000,
  ProcessingLog1763900200000,
  Sms1763900300000,
  Alarms1763900400000,
  ContactNotice1763900500000,
  PrivacyRights1763900600000,
  PanelSecretChanges1763900700000,
  AlarmUrgency1763900800000,
  SmsSendRate1763900900000,
  SupervisionSignalRetention1764000000000,
  ProcessingLogCheckpoint1764100000000,
  Dc09Panels1764200000000,
  EncryptionKeyCheck1764300000000,
  OperatorDisable1764400000000,
  SmsCaps1764500000000,
  ReplyCodeGuard1764600000000,
  ActionPlans1764800000000,
  Premises1764900000000,
  AlarmHandling1765000000000,
  CustomerSearch1765200000000,
  PrivacyRequests1765300000000,
  OperatorErasure1765310000000,
  ProcessingLogRetention1765320000000,
  Restrictions1765330000000,
  ContactNoticeRetry1765340000000,
  ProcessorDeletion1765360000000,
];

import type { ProcessingDeclaration } from './processing.decorator.js';

const REQUEST_REGISTER: Omit<ProcessingDeclaration, 'operation' | 'purpose' | 'recipients'> = {
  legalBasis: 'legal_obligation',
  legalBasisNote:
    "Art. 12 to 22: the controller must answer a data subject's request within one month (Art. 12(3)), check who asks (Art. 12(6)), " +
    'and be able to show it did (Art. 5(2))',
  dataSubjects: ['customers', 'alarm contacts'],
  dataCategories: [
    "the request: its kind, the subject's id, when it was received, its due date, extension and outcome",
    "how the person's identity was checked (free text written by the data protection officer)",
    "what was produced for it: an export's SHA-256 and size (never the export itself), an erasure's answer",
  ],
  retention: 'three years after the request was closed, to show the supervisory authority how it was answered (Art. 5(2))',
};

export const PRIVACY_REQUEST_REGISTER: ProcessingDeclaration = {
  ...REQUEST_REGISTER,
  operation: 'privacy.requests.register',
  purpose: "Register a data subject's request (access, rectification, erasure, restriction, objection, portability) and its deadline",
  recipients: ['dpo'],
};

export const PRIVACY_REQUEST_READ: ProcessingDeclaration = {
  ...REQUEST_REGISTER,
  operation: 'privacy.requests.read',
  purpose: "List data subjects' requests by status and deadline, so none is answered late",
  recipients: ['dpo'],
};

export const PRIVACY_REQUEST_UPDATE: ProcessingDeclaration = {
  ...REQUEST_REGISTER,
  operation: 'privacy.requests.update',
  purpose: "Record the identity check, an extension and the notice about it (Art. 12(3)), or the outcome of a data subject's request (Art. 12(4))",
  recipients: ['dpo', 'data_subject'],
};

export const PRIVACY_REQUEST_EXPORT: ProcessingDeclaration = {
  ...REQUEST_REGISTER,
  operation: 'privacy.requests.export',
  purpose: "Produce the export a data subject's access or portability request asks for, and record that it was produced (its hash and size)",
  dataCategories: [
    'everything held about the subject (as privacy.subject.export), handed over and not kept',
    "the request, with the export's SHA-256 and size",
  ],
  recipients: ['data_subject'],
};

export const PRIVACY_REQUEST_ERASURE: ProcessingDeclaration = {
  ...REQUEST_REGISTER,
  operation: 'privacy.requests.erasure',
  purpose: "Carry out a data subject's erasure request (as privacy.subject.erasure) and record the answer on the request",
  dataCategories: ['every category held about the subject (erased or anonymised)', "the request, with the erasure's answer"],
  recipients: ['dpo'],
};

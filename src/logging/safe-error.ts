/**
 * An error as a log line may show it. Errors carry what was being done when they happened: a
 * failed query's parameters (a customer's name, phone, address, the national id's ciphertext),
 * PostgreSQL's `detail` ("Key (phone)=(+4670...) already exists"), a provider's request. None of
 * that is logged, whatever failed: only what says which error it was and where. Phone numbers and
 * email addresses inside messages (Twilio says "The 'To' number +4670... is not valid") are masked.
 */
const DROPPED = new Set(['parameters', 'detail', 'where', 'internalQuery', 'hint', 'body', 'request', 'response', 'config', 'details', 'moreInfo']);
/** Kept when they are plain values: they say which error it was, never whose data. */
const KEPT = new Set([
  'code',
  'status',
  'statusCode',
  'severity',
  'routine',
  'table',
  'column',
  'constraint',
  'schema',
  'dataType',
  'query',
  'type',
  'errno',
  'syscall',
]);

const PHONE = /\+?\d[\d\s().-]{6,}\d/g;
const EMAIL = /[^\s@"'<>]+@[^\s@"'<>]+\.[^\s@"'<>]+/g;

export const maskPersonal = (text: string): string => text.replace(EMAIL, '[email]').replace(PHONE, '[number]');

export function safeError(e: unknown, depth = 0): unknown {
  if (e === null || typeof e !== 'object') return typeof e === 'string' ? maskPersonal(e) : e;
  // Not always an Error instance by the time it gets here (a logger may have copied it): read it as one.
  const err = e as { constructor?: { name?: string }; name?: unknown; message?: unknown; stack?: unknown };
  const out: Record<string, unknown> = { type: typeof err.name === 'string' ? err.name : (err.constructor?.name ?? 'Error') };
  if (typeof err.message === 'string') out.message = maskPersonal(err.message);
  if (typeof err.stack === 'string') out.stack = maskPersonal(err.stack);
  for (const [key, value] of Object.entries(e)) {
    if (DROPPED.has(key)) continue;
    if ((key === 'driverError' || key === 'cause') && depth < 3) out[key] = safeError(value, depth + 1);
    else if (KEPT.has(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      out[key] = key === 'query' ? value : typeof value === 'string' ? maskPersonal(value) : value;
    }
  }
  if ('cause' in e && !('cause' in out) && depth < 3) out.cause = safeError((e as { cause?: unknown }).cause, depth + 1);
  return out;
}

import { SmsSendError } from '../sms-sender.js';

/**
 * Twilio error codes where another attempt cannot succeed (docs/sms.md#permanent-failures):
 * invalid To, recipient replied STOP, not a mobile number, unreachable, unknown number, landline,
 * carrier filtering.
 */
export const PERMANENT_TWILIO_CODES: ReadonlySet<number> = new Set([21211, 21610, 21614, 30003, 30005, 30006, 30007]);

/**
 * Turns whatever `client.messages.create` threw into an SmsSendError.
 * - Twilio answered (a RestException: numeric `status`): a listed permanent code, or any 4xx other
 *   than 429, is permanent; 429 and 5xx are temporary.
 * - No answer (axios: timeout, refused, reset, DNS): temporary.
 * - Anything else is a mistake in how we call the SDK, which a retry will not fix: permanent.
 * The provider's message is not kept: Twilio puts the phone number in it ("The 'To' number +46...").
 */
export function toSmsSendError(e: unknown): SmsSendError {
  if (e instanceof SmsSendError) return e;
  const err = e as { status?: unknown; code?: unknown; isAxiosError?: boolean; message?: string; retryAfterSeconds?: unknown };
  if (typeof err.status === 'number' && !err.isAxiosError) {
    const status = err.status;
    const code = typeof err.code === 'number' ? err.code : undefined;
    const permanent = (code !== undefined && PERMANENT_TWILIO_CODES.has(code)) || (status >= 400 && status < 500 && status !== 429);
    const retryAfterMs = typeof err.retryAfterSeconds === 'number' ? err.retryAfterSeconds * 1000 : undefined;
    return new SmsSendError(`Twilio answered HTTP ${status}${code ? ` (error ${code})` : ''}`, {
      permanent,
      code: code ?? `http_${status}`,
      status,
      retryAfterMs,
    });
  }
  if (err.isAxiosError || (typeof err.code === 'string' && /^(E[A-Z_]+|ERR_[A-Z_]+)$/.test(err.code))) {
    const code = typeof err.code === 'string' ? err.code : 'network_error';
    return new SmsSendError(`no answer from Twilio (${code})`, { permanent: false, code });
  }
  return new SmsSendError(`could not call Twilio: ${err.message ?? String(e)}`, { permanent: true, code: 'client_error' });
}

/**
 * Errors the domain raises on purpose. Services throw these, never HTTP exceptions; the one
 * place that turns them into status codes is `HttpErrorFilter`.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable, machine-readable: `customer_not_found`, `contact_phone_taken`, ... */
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** The id is said back, cut short: a caller's 10 kB path segment is not worth 10 kB of error. */
export const notFound = (what: string, id: string) =>
  new DomainError('not_found', `${what.replace(/ /g, '_')}_not_found`, `${what} ${id.length > 64 ? `${id.slice(0, 64)}…` : id} does not exist`);

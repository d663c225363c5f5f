/**
 * Errors the domain raises on purpose. Services throw these, never HTTP exceptions; the one
 * place that turns them into status codes is `HttpErrorFilter`.
 */
export type DomainErrorKind =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'unprocessable' | 'unsupported_media_type' | 'rate_limited' | 'unavailable';

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

export const notFound = (what: string, id: string) => new DomainError('not_found', `${what.replace(/ /g, '_')}_not_found`, `${what} ${id} does not exist`);

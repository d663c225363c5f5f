import type { NextFunction, Request, Response } from 'express';

/**
 * No body this API takes nests deeper than a handful of levels; validation walks a body
 * recursively, and at a few thousand levels it runs out of stack (a 500 before any login).
 */
export const MAX_BODY_DEPTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A refusal body-parser passes on with its status, so the error filter answers it in the API's shape. */
function refused(message: string, type: string): Error {
  return Object.assign(new Error(message), { status: 400, statusCode: 400, type, expose: true });
}

/**
 * How deep the JSON text nests, counting brackets outside strings: a scan of the bytes, which
 * neither recurses nor builds anything, so it is safe on whatever a client sends.
 */
export function jsonDepthExceeds(bytes: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c)
        i++; // a backslash escapes the next byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      if (++depth > max) return true;
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  return false;
}

/**
 * Runs right after the body parsers, on the bytes they kept (`rawBody`), before anything reads the
 * parsed body: text that is not UTF-8 would otherwise be stored with U+FFFD in place of what was
 * sent, and absurd nesting would reach the validation. Both are the client's mistake: 400, naming it.
 */
export function refuseAbsurdBodies(req: Request, _res: Response, next: NextFunction): void {
  const bytes = (req as Request & { rawBody?: Buffer }).rawBody;
  if (!bytes || bytes.length === 0) return next();
  try {
    utf8.decode(bytes);
  } catch {
    return next(refused('request body is not valid UTF-8', 'entity.encoding.invalid'));
  }
  if (jsonDepthExceeds(bytes, MAX_BODY_DEPTH)) return next(refused(`request body nests deeper than ${MAX_BODY_DEPTH} levels`, 'entity.too.deep'));
  next();
}

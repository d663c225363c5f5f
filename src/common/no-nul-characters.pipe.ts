import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

/** Deeper than any body this API takes; past it nothing is looked at (the validation refuses such bodies anyway). */
const MAX_DEPTH = 8;

/**
 * PostgreSQL cannot store the NUL character (U+0000) in text, so a string carrying one would get
 * as far as the INSERT and fail there, as a 500. Refused here instead, for every body, query and
 * route parameter, with a 400 naming each field (docs/api-contract.md#errors: one line per failing field).
 */
@Injectable()
export class NoNulCharacters implements PipeTransform {
  transform(value: unknown, meta: ArgumentMetadata): unknown {
    if (meta.type === 'custom') return value;
    const found: string[] = [];
    scan(value, meta.data ?? '', found, 0);
    if (found.length) {
      throw new BadRequestException(found.map((field) => `${field || meta.type} must not contain the NUL character (\\u0000)`));
    }
    return value;
  }
}

function scan(value: unknown, path: string, found: string[], depth: number): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path);
    return;
  }
  if (!value || typeof value !== 'object' || depth >= MAX_DEPTH) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => scan(v, `${path}[${i}]`, found, depth + 1));
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const safeKey = key.replaceAll('\u0000', '\\u0000');
    if (safeKey !== key) found.push(path ? `${path}.${safeKey}` : safeKey);
    else scan(v, path ? `${path}.${key}` : key, found, depth + 1);
  }
}

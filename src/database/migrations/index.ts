import { Foundation1763900000000 } from './1763900000000-foundation.js';

/** Every migration, in order. Listed by hand because ESM has no glob loading. */
export const migrations = [Foundation1763900000000];

import path from 'node:path';
import { postmasterPid as pidIn } from '../../src/database/embedded-postgres.js';

export { alive } from '../../src/database/embedded-postgres.js';

/** The pid of the embedded PostgreSQL the app runs in `dataDir` (its postmaster.pid), if there is one. */
export const postmasterPid = (dataDir: string): Promise<number | undefined> => pidIn(path.join(dataDir, 'postgres'));

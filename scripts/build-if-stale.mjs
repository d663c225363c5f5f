// `npm start` and `npm test` compile only when src/ changed since the last build: type-checking the
// whole program takes seconds that an operator waiting for the alarm central to come up, or a test
// run, should not spend. A fresh clone has no dist/ and is always built.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

let built = 0;
try {
  built = statSync('dist/.tsbuildinfo').mtimeMs;
} catch {
  /* never built */
}
const sources = Math.max(newest('src'), statSync('tsconfig.json').mtimeMs, statSync('tsconfig.build.json').mtimeMs, statSync('package-lock.json').mtimeMs);
if (sources > built) {
  const result = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // tsc leaves its build info untouched when nothing needed emitting (a file saved unchanged, a
  // checkout): mark the build as current so the next run does not type-check it all again.
  if (result.status === 0) utimesSync('dist/.tsbuildinfo', new Date(), new Date());
  process.exit(result.status ?? 1);
}

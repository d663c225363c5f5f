#!/bin/sh
# The image's entrypoint. Also runs by hand from a checkout after `npm ci && npm run build`:
#   DATABASE_URL=postgresql://user:pass@host:5432/keyholder docker/entrypoint.sh
set -eu
cd "$(dirname "$0")/.."

if [ -n "${DATABASE_URL:-}" ]; then
  # Migrations as their own step (under an advisory lock, so replicas starting together take
  # turns): a schema problem shows up as a failed migration, not as a crash-looping app. As
  # DATABASE_MIGRATION_URL's role when set, which then grants DATABASE_URL's role what the app needs.
  node dist/database/migrate.js
fi
# Without DATABASE_URL the app starts its embedded PostgreSQL in DATA_DIR and migrates it itself.

# exec: node replaces the shell as PID 1 and gets `docker stop`'s SIGTERM directly. Without the
# owner's connection string: the schema is migrated, and the running app holds only its own role's.
exec env -u DATABASE_MIGRATION_URL node dist/main.js

#!/bin/sh
# Run once by the postgres image on an empty data volume (mounted into /docker-entrypoint-initdb.d by
# compose.yaml): creates the role the app connects as. It owns nothing and is not a superuser; the
# migrations (run as POSTGRES_USER, the schema's owner) grant it what the app needs. For a volume
# that existed before, run it by hand once:
#   docker compose -f docker/compose.yaml exec db /docker-entrypoint-initdb.d/10-keyholder-app-role.sh
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v app_password="${POSTGRES_APP_PASSWORD:?POSTGRES_APP_PASSWORD is not set}" <<'SQL'
SELECT format('CREATE ROLE keyholder_app LOGIN PASSWORD %L', :'app_password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'keyholder_app') \gexec
SQL

#!/bin/bash
# Runs once, when the compose PostgreSQL volume is empty: one database per service, each owned by
# its own role, as in production (k8s/base/postgres). The passwords come from the container's
# environment (docker-compose.yml); they are for a laptop only.
set -euo pipefail

create() {
  local db=$1 password=$2
  # psql variables quote the names and the password, so no value is spliced into SQL.
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$db" -v password="$password" <<'SQL'
CREATE ROLE :"db" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"db";
SQL
  echo "init-databases: database $db owned by role $db"
}

create events "$EVENTS_DB_PASSWORD"
create messaging "$MESSAGING_DB_PASSWORD"
create notifications "$NOTIFICATIONS_DB_PASSWORD"

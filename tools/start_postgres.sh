#!/usr/bin/env bash
# Install (apt) and start a PostgreSQL server on 127.0.0.1:5432 with a database `nnbook` owned by
# user `nnbook` (password `nnbook`), for the gradebook test (tests/test_scale.py reads NNBOOK_PG_URL or
# this default). Idempotent; run as root (CI) or with sudo.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  command -v apt-get >/dev/null || { echo "no apt-get: install PostgreSQL yourself"; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DATA=${PGDATA_DIR:-/var/lib/postgresql/nnbook-test}
if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA" && chown postgres:postgres "$DATA"
  su postgres -c "$BIN/initdb -D $DATA -A trust >/dev/null"
fi
if ! su postgres -c "$BIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql
  su postgres -c "$BIN/pg_ctl -D $DATA -l $DATA/server.log -o '-c listen_addresses=127.0.0.1 -p 5432' -w start" >/dev/null
fi
su postgres -c "psql -h 127.0.0.1 -tc \"select 1 from pg_roles where rolname='nnbook'\"" | grep -q 1 \
  || su postgres -c "psql -h 127.0.0.1 -c \"create user nnbook password 'nnbook'\"" >/dev/null
su postgres -c "psql -h 127.0.0.1 -tc \"select 1 from pg_database where datname='nnbook'\"" | grep -q 1 \
  || su postgres -c "createdb -h 127.0.0.1 -O nnbook nnbook"
echo "PostgreSQL ready: postgresql+psycopg2://nnbook:nnbook@127.0.0.1:5432/nnbook"

#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server: a new cluster in a temporary directory,
# on a free loopback port, as an unprivileged user (initdb refuses root), stopped and removed
# when the command ends. The command sees its URL in TALLYLAB_TEST_POSTGRES (a superuser
# "tallylab", trust authentication, database "postgres"). Installs Debian's postgresql
# package when no PostgreSQL server is installed. A system cluster the package may start on
# 5432 is neither needed nor touched.
#
#   scripts/with-postgres.sh cargo test -p backend --test api
set -euo pipefail

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(bin_dir)" ] || [ ! -x "$(bin_dir)/initdb" ]; then
  echo "installing PostgreSQL (Debian's postgresql package)"
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update
  sudo_if_needed apt-get install -y --no-install-recommends postgresql
fi
PG_BIN="$(bin_dir)"

# initdb and postgres refuse to run as root: run them as the package's "postgres" user.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_db_user() { runuser -u postgres -- "$@"; }
else
  as_db_user() { "$@"; }
fi

if command -v python3 >/dev/null; then
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
else
  # Without python3: a random high port (pg_ctl fails clearly if it is taken).
  PORT=$((20000 + RANDOM % 20000))
fi
DIR="$(mktemp -d /tmp/tallylab-pg.XXXXXX)"
chmod 755 "$DIR"
[ "$(id -u)" = 0 ] && chown postgres "$DIR"

stop() {
  as_db_user "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT

as_db_user "$PG_BIN/initdb" -D "$DIR/data" -U tallylab --auth=trust --encoding=UTF8 \
  --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
# Durability is not what these tests check: fsync off keeps a 2-core CI machine fast.
as_db_user "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($DIR)"

export TALLYLAB_TEST_POSTGRES="postgres://tallylab@127.0.0.1:$PORT/postgres"
status=0
"$@" || status=$?
if [ "$status" != 0 ]; then
  echo "--- PostgreSQL server log (last 40 lines) ---" >&2
  tail -n 40 "$DIR/server.log" >&2 || true
fi
exit "$status"

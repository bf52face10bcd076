#!/usr/bin/env bash
# postgres.sh runs a command with a throwaway PostgreSQL server for the
# applink/pgstore tests:
#
#   .ci/postgres.sh go test ./applink/pgstore/ ./cmd/applink/ ./examples/fleet/
#
# It creates a cluster in a temporary directory (initdb), starts it on
# 127.0.0.1 on a free port (pg_ctl), creates the database applink_test,
# exports APPLINK_TEST_POSTGRES_URL for the command, and stops the server and
# removes the directory when the command ends, whether it passed or failed
# (or was interrupted). The exit status is the command's.
#
# If APPLINK_TEST_POSTGRES_URL is already set, the command runs against that
# server and nothing is started. Without a command, it runs "go test ./...".
#
# PostgreSQL comes from the distribution: when initdb is missing and we are
# root (as on CI, a fresh Debian machine), "apt-get install -y postgresql"
# installs it; otherwise install it yourself. initdb refuses to run as root,
# so as root the server runs as the "postgres" system user the package
# creates (runuser -u postgres --). The server has fsync off: it holds
# nothing worth keeping.
set -euo pipefail

if [ $# -eq 0 ]; then
  set -- go test ./...
fi

if [ -n "${APPLINK_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi

log() { echo "postgres.sh: $*" >&2; }

# find_bindir prints the directory of the newest installed PostgreSQL's
# initdb, or nothing.
find_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then
    echo "$d"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
  fi
}

bindir=$(find_bindir)
if [ -z "$bindir" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL is not installed: installing it with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
    bindir=$(find_bindir)
  fi
  if [ -z "$bindir" ]; then
    log "initdb not found: install PostgreSQL (Debian/Ubuntu: apt-get install postgresql), or set APPLINK_TEST_POSTGRES_URL to a server of yours"
    exit 1
  fi
fi

# as_pg runs a command as the user that owns the cluster: postgres when we
# are root (initdb refuses root), else ourselves.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/applink-pg.XXXXXX")
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
fi
data="$dir/data"
started=

cleanup() {
  local rc=$?
  if [ -n "$started" ]; then
    as_pg "$bindir/pg_ctl" stop -D "$data" -m immediate -s >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2; log "initdb failed"; exit 1; }

# A free port: pick one nobody listens on, and try another if the server
# still cannot bind it (someone took it meanwhile).
port=
for _ in $(seq 1 20); do
  p=$((20000 + RANDOM % 40000))
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    continue
  fi
  if as_pg "$bindir/pg_ctl" start -D "$data" -w -t 60 -l "$dir/server.log" -s \
    -o "-c listen_addresses=127.0.0.1 -p $p -k $dir -c fsync=off -c max_connections=300" >/dev/null 2>&1; then
    port=$p
    started=1
    break
  fi
done
if [ -z "$port" ]; then
  cat "$dir/server.log" >&2 || true
  log "could not start PostgreSQL on a free port"
  exit 1
fi

"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres applink_test
export APPLINK_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/applink_test?sslmode=disable"
log "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port (APPLINK_TEST_POSTGRES_URL=$APPLINK_TEST_POSTGRES_URL)"

# Not exec: the trap must stop the server when the command ends.
set +e
"$@"

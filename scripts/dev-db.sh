#!/usr/bin/env bash
#
# scripts/dev-db.sh — the persistent development database for `make run`.
#
# Usage:
#   scripts/dev-db.sh         ensure the cluster in .data/pg exists and runs,
#                             ensure database "forum" exists, and print its
#                             DATABASE_URL (the only line on stdout)
#   scripts/dev-db.sh stop    stop the cluster (fine if it is not running)
#
# The cluster listens only on a unix socket (no TCP port is used), so it
# never clashes with another PostgreSQL on the machine. It keeps running
# after `make run` exits; stop it with `make db-stop`. Delete .data/ to
# start over from scratch.
#
# If DATABASE_URL is already set it is printed unchanged and no local
# cluster is touched.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/pg.sh
source "$root/scripts/lib/pg.sh"

cluster="$root/.data/pg"
dbname="forum"

case "${1:-start}" in
stop)
	pg_stop "$cluster"
	exit 0
	;;
start) ;;
*)
	echo "usage: $0 [start|stop]" >&2
	exit 2
	;;
esac

if [[ -n "${DATABASE_URL:-}" ]]; then
	echo "[dev] DATABASE_URL is set; not starting a local cluster" >&2
	printf '%s\n' "$DATABASE_URL"
	exit 0
fi

# The development server also needs a stable session key; make sure it is
# there (its value is not printed here).
bash "$root/scripts/session-key.sh" >/dev/null

# .data must be enterable by the cluster owner when we run as root.
mkdir -p "$root/.data"
pg_init_cluster "$cluster"
pg_start "$cluster"

admin_url="$(pg_url "$cluster" postgres)"
psql="$(pg_client psql)"
exists="$("$psql" -X -q -At -d "$admin_url" \
	-c "SELECT 1 FROM pg_database WHERE datname = '$dbname'")"
if [[ "$exists" != "1" ]]; then
	echo "[dev] creating database $dbname" >&2
	"$psql" -X -q -d "$admin_url" -v ON_ERROR_STOP=1 \
		-c "CREATE DATABASE \"$dbname\"" >&2
fi

pg_url "$cluster" "$dbname"

#!/usr/bin/env bash
#
# scripts/test.sh — run the whole test suite (`make test`).
#
# Without DATABASE_URL a throwaway PostgreSQL cluster is created in a
# temporary directory, tuned for speed (no fsync), and removed again when
# this script exits — whether the tests pass, fail or are interrupted.
# DATABASE_URL then points at the cluster's "postgres" database as the
# superuser, so tests can CREATE DATABASE ... TEMPLATE ... from it. A streaming
# replica of it is started too (FORUM_TEST_REPLICA_URL) for internal/multitest, and
# the forum binary those tests run as processes is built once (FORUM_TEST_BIN).
#
# With DATABASE_URL set, that server is used as-is; it must be a superuser
# (or CREATEDB) connection.
#
# Extra arguments are passed to `go test` after ./..., e.g.
#   scripts/test.sh -run TestLogin -v
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source-path=SCRIPTDIR source=lib/pg.sh
source "$root/scripts/lib/pg.sh"

section() {
	printf '\n==> %s\n' "$*"
}

section "PostgreSQL"
if [[ -n "${DATABASE_URL:-}" ]]; then
	echo "using DATABASE_URL from the environment"
else
	# Exports DATABASE_URL and installs the EXIT/INT/TERM cleanup trap. Ready for
	# streaming replication (initdb's pg_hba.conf trusts local replication connections):
	# internal/multitest follows it with a replica.
	pg_throwaway_start -c wal_level=replica -c max_wal_senders=10
	# The replica the many-instance tests read from, copied now while the primary is
	# small. It is stopped before the primary when this script exits.
	replica_dir="$PG_THROWAWAY_DIR-replica"
	trap 'pg_cleanup_dir "$replica_dir" || true; pg__throwaway_cleanup' EXIT
	pg_replica_start "$replica_dir" "$DATABASE_URL" -c fsync=off -c max_connections=300
	FORUM_TEST_REPLICA_URL="$(pg_url "$replica_dir" postgres)"
	export FORUM_TEST_REPLICA_URL
	echo "streaming replica ready: FORUM_TEST_REPLICA_URL=$FORUM_TEST_REPLICA_URL"
fi

section "Chromium"
bash "$root/scripts/ensure-chromium.sh"

section "PgBouncer and Caddy"
# The many-instance tests (internal/multitest, the browser journey through Caddy).
bash "$root/scripts/ensure-pgbouncer.sh"
bash "$root/scripts/ensure-caddy.sh"

section "promtool"
# deploy/deploy_test.go checks the Prometheus alert rules with it.
bash "$root/scripts/ensure-promtool.sh"

section "Dockerfile and the forum binary"
# The image's build step, run here without a container engine (none on these machines).
# Its binary is the one the many-instance tests run as separate processes: built once
# for all packages, kept in .data (ignored by git), overwritten by the next run.
DOCKERFILE_CHECK_OUT="$root/.data/test-bin/forum" bash "$root/scripts/dockerfile-check.sh"
export FORUM_TEST_BIN="$root/.data/test-bin/forum"

section "go vet"
go vet ./...

section "go test"
status=0
go test -count=1 -timeout 20m ./... "$@" || status=$?

if [[ $status -eq 0 ]]; then
	section "tests passed"
else
	section "tests FAILED (go test exit status $status)"
fi
exit "$status"

#!/usr/bin/env bash
#
# scripts/test.sh — run the whole test suite (`make test`).
#
# Without DATABASE_URL a throwaway PostgreSQL cluster is created in a
# temporary directory, tuned for speed (no fsync), and removed again when
# this script exits — whether the tests pass, fail or are interrupted.
# DATABASE_URL then points at the cluster's "postgres" database as the
# superuser, so tests can CREATE DATABASE ... TEMPLATE ... from it.
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
	# Exports DATABASE_URL and installs the EXIT/INT/TERM cleanup trap.
	# shellcheck disable=SC2119 # no extra server options needed
	pg_throwaway_start
fi

section "Chromium"
bash "$root/scripts/ensure-chromium.sh"

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

#!/usr/bin/env bash
#
# scripts/bench.sh — run all benchmarks (`make bench`).
#
# Uses DATABASE_URL when set; otherwise starts a throwaway PostgreSQL
# cluster exactly like scripts/test.sh does and removes it on exit.
# Extra arguments are passed to `go test`, e.g.
#   scripts/bench.sh -benchtime 2s
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source-path=SCRIPTDIR source=lib/pg.sh
source "$root/scripts/lib/pg.sh"

printf '==> PostgreSQL\n'
if [[ -n "${DATABASE_URL:-}" ]]; then
	echo "using DATABASE_URL from the environment"
else
	# shellcheck disable=SC2119 # no extra server options needed
	pg_throwaway_start
fi

printf '\n==> go test -bench\n'
status=0
go test -run '^$' -bench . -benchmem -count 3 -benchtime 1s ./... "$@" | tee "${TMPDIR:-/tmp}/forum-bench.txt" || status=$?
exit "$status"

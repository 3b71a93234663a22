#!/usr/bin/env bash
#
# scripts/fuzz.sh — run the fuzz targets (`make fuzz`), each for FUZZTIME.
#
#   FUZZTIME=60s make fuzz                      both targets, 60 s each (the default)
#   FUZZ_TARGETS=./internal/web:FuzzWritePath make fuzz
#
# FuzzWritePath (internal/web) takes a thread title and a post body through the
# whole write path: validation, Markdown, the sanitiser, the thread page's real
# templates and the feeds. FuzzRender (internal/markup) is the renderer alone,
# with the policy's idempotence and the search-snippet policy besides. Neither
# needs PostgreSQL. Their seed corpora (../shared/corpora/xss-payloads.txt beside
# the checkout, and the markup package's hostile.txt) run in every `go test`; this
# searches beyond them.
#
# A failing input is written to the package's testdata/fuzz/<Target>/ directory,
# where plain `go test` runs it from then on: commit it with the fix.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

fuzztime="${FUZZTIME:-60s}"
targets="${FUZZ_TARGETS:-./internal/web:FuzzWritePath ./internal/markup:FuzzRender}"

for t in $targets; do
	pkg="${t%%:*}"
	name="${t##*:}"
	printf '\n==> %s %s for %s\n' "$pkg" "$name" "$fuzztime"
	# -run '^$' skips the package's other tests; the seeds still run first, as the
	# fuzzer's baseline (FuzzWritePath starts from a sample of its seeds here). Vet is
	# make vet's job.
	go test -vet=off -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
done

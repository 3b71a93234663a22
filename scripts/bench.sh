#!/usr/bin/env bash
#
# scripts/bench.sh — the benchmark suite (`make bench`).
#
# 1. A synthetic database of BENCH_POSTS posts (default 1,000,000) in the development
#    cluster under .data/pg, created once by `forum seed --synthetic` and reused while
#    it exists (drop it with: psql ... -c 'DROP DATABASE forum_bench_1000000').
# 2. The server built and started on 127.0.0.1:BENCH_PORT against it, with the rate
#    limits raised so the load run measures the server, not its throttles.
# 3. cmd/bench: every scenario for BENCH_DURATION (default 10s) at BENCH_CONCURRENCY
#    (default 32) connections, each read scenario also against a baseline that serves the
#    same bytes from memory, in the same run; a table, and .data/bench/latest.json.
# 4. The Go benchmarks (Markdown pipeline, tree assembly, rendering), once each;
#    BENCH_GO=0 skips them.
#
# The load run targets 127.0.0.1 only and stops by itself.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

posts="${BENCH_POSTS:-1000000}"
port="${BENCH_PORT:-18080}"
duration="${BENCH_DURATION:-10s}"
concurrency="${BENCH_CONCURRENCY:-32}"

printf '==> PostgreSQL\n'
base_url="$(bash scripts/dev-db.sh)"
db_url="${base_url/\/forum\?//forum_bench_${posts}?}"
if [[ "$db_url" == "$base_url" ]]; then
	echo "bench: cannot derive the benchmark database's URL from $base_url" >&2
	exit 1
fi

printf '\n==> build\n'
mkdir -p .data/bin .data/bench
go build -o .data/bin/forum ./cmd/forum
go build -o .data/bin/bench ./cmd/bench

if ! psql "$db_url" -Atqc "SELECT 1 FROM users WHERE username LIKE 's-%' LIMIT 1" 2>/dev/null | grep -q 1; then
	printf '\n==> synthetic database: %s posts (once; reused while it exists)\n' "$posts"
	psql "$base_url" -qc "DROP DATABASE IF EXISTS forum_bench_${posts}" -c "CREATE DATABASE forum_bench_${posts}"
	DATABASE_URL="$db_url" .data/bin/forum seed --synthetic --posts "$posts"
else
	printf '\n==> synthetic database: reusing forum_bench_%s\n' "$posts"
fi

printf '\n==> server on 127.0.0.1:%s\n' "$port"
lots="1000000/1m"
env DATABASE_URL="$db_url" FORUM_ADDR="127.0.0.1:$port" FORUM_BASE_URL="http://127.0.0.1:$port" \
	FORUM_SESSION_KEY="$(bash scripts/session-key.sh)" \
	FORUM_LIMIT_REPLIES="$lots" FORUM_LIMIT_REPLIES_NEW="$lots" FORUM_LIMIT_LOGIN_ADDRESS="$lots" \
	FORUM_LIMIT_LOGIN_PAIR="$lots" \
	.data/bin/forum serve >.data/bench/server.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
	if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
		break
	fi
	if ! kill -0 "$server" 2>/dev/null; then
		echo "bench: the server stopped; its log:" >&2
		tail -20 .data/bench/server.log >&2
		exit 1
	fi
	sleep 0.2
done

printf '\n==> load run\n'
.data/bin/bench -forum "http://127.0.0.1:$port" -db "$db_url" -pid "$server" \
	-d "$duration" -c "$concurrency" -json .data/bench/latest.json ${BENCH_ONLY:+-only "$BENCH_ONLY"}

if [[ "${BENCH_GO:-1}" != 0 ]]; then
	printf '\n==> go test -bench\n'
	DATABASE_URL="$base_url" go test -run '^$' -bench . -benchmem -count 1 -benchtime 1s ./... | tee "${TMPDIR:-/tmp}/forum-bench.txt"
fi

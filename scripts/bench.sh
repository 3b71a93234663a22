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
# BENCH_ONLY=word,word runs only the scenarios whose names hold one of the words.
# BENCH_GROWTH=1 instead measures growth: home, the 200-reply thread and the mega-thread
# at BENCH_GROWTH_SMALL posts (default 10,000) and at BENCH_POSTS, one after the other,
# and prints the ratios against issue 16's targets (1.25× and 2×).
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

printf '\n==> build\n'
mkdir -p .data/bin .data/bench
go build -o .data/bin/forum ./cmd/forum
go build -o .data/bin/bench ./cmd/bench

server=""
stop_server() {
	if [[ -n "$server" ]]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
		server=""
	fi
}
trap stop_server EXIT

# bench_db N JSON ONLY: the load run against the synthetic database of N posts (made
# once, reused while it exists), its table on the terminal and in JSON.
bench_db() {
	local n="$1" json="$2" only="$3"
	local db_url="${base_url/\/forum\?//forum_bench_${n}?}"
	if [[ "$db_url" == "$base_url" ]]; then
		echo "bench: cannot derive the benchmark database's URL from $base_url" >&2
		exit 1
	fi
	if ! psql "$db_url" -Atqc "SELECT 1 FROM users WHERE username LIKE 's-%' LIMIT 1" 2>/dev/null | grep -q 1; then
		printf '\n==> synthetic database: %s posts (once; reused while it exists)\n' "$n"
		psql "$base_url" -qc "DROP DATABASE IF EXISTS forum_bench_${n}" -c "CREATE DATABASE forum_bench_${n}"
		DATABASE_URL="$db_url" .data/bin/forum seed --synthetic --posts "$n"
	else
		printf '\n==> synthetic database: reusing forum_bench_%s\n' "$n"
	fi

	printf '\n==> server on 127.0.0.1:%s\n' "$port"
	local lots="1000000/1m"
	env DATABASE_URL="$db_url" FORUM_ADDR="127.0.0.1:$port" FORUM_BASE_URL="http://127.0.0.1:$port" \
		FORUM_SESSION_KEY="$(bash scripts/session-key.sh)" \
		FORUM_LIMIT_REPLIES="$lots" FORUM_LIMIT_REPLIES_NEW="$lots" FORUM_LIMIT_LOGIN_ADDRESS="$lots" \
		FORUM_LIMIT_LOGIN_PAIR="$lots" \
		.data/bin/forum serve >".data/bench/server-${n}.log" 2>&1 &
	server=$!
	for _ in $(seq 1 100); do
		if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
			break
		fi
		if ! kill -0 "$server" 2>/dev/null; then
			echo "bench: the server stopped; its log:" >&2
			tail -20 ".data/bench/server-${n}.log" >&2
			exit 1
		fi
		sleep 0.2
	done

	printf '\n==> load run: %s posts\n' "$n"
	.data/bin/bench -forum "http://127.0.0.1:$port" -db "$db_url" -pid "$server" \
		-d "$duration" -c "$concurrency" -json "$json" ${only:+-only "$only"}
	stop_server
}

if [[ "${BENCH_GROWTH:-0}" != 0 ]]; then
	# Growth (issue 16): the thread and home pages at 10,000 posts and at BENCH_POSTS,
	# and the mega-thread against the 200-reply thread, in one invocation.
	small="${BENCH_GROWTH_SMALL:-10000}"
	words="home,thread-200 visitor,mega"
	bench_db "$small" ".data/bench/growth-${small}.json" "$words"
	bench_db "$posts" ".data/bench/growth-${posts}.json" "$words"
	.data/bin/bench -growth ".data/bench/growth-${small}.json,.data/bench/growth-${posts}.json"
else
	bench_db "$posts" .data/bench/latest.json "${BENCH_ONLY:-}"
fi

if [[ "${BENCH_GO:-1}" != 0 ]]; then
	printf '\n==> go test -bench\n'
	DATABASE_URL="$base_url" go test -run '^$' -bench . -benchmem -count 1 -benchtime 1s ./... | tee "${TMPDIR:-/tmp}/forum-bench.txt"
fi

#!/usr/bin/env bash
#
# scripts/soak.sh — the soak run (`make soak`): about two minutes of load on two
# `forum serve` instances sharing one PostgreSQL that is broken underneath them.
#
# 32 writers (accounts made with `forum user add`) post replies through the thread
# page's reply form, alternating instances and resending the same form (same `idem`
# key) after an error or a timeout; 16 anonymous readers read pages, JSON and feeds; one
# event stream per written thread stays open on each instance, reconnecting with
# Last-Event-ID. Meanwhile PostgreSQL is restarted (fast) at ~30 s and ~60 s and its
# postmaster is killed with SIGKILL at ~90 s, then started again; the clock stops at
# ~120 s. The driver is the test behind the `soak` build tag in internal/soak: it prints
# the figures and fails when an acknowledged reply is lost or doubled, when a 5xx comes
# outside the outage windows (fault → database accepting connections again, plus a
# grace), or when a stream never got an acknowledged reply's event.
#
# Everything is on loopback, in a temporary directory removed on exit, pass or fail or
# Ctrl-C; the development cluster in .data/pg is never touched. When the run fails, the
# instances' and PostgreSQL's logs are kept in .data/soak/.
#
# Settings (environment): SOAK_DURATION (120s), SOAK_WRITERS (32), SOAK_READERS (16),
# SOAK_THREADS (3), SOAK_THINK (1s, mean pause between one person's requests),
# SOAK_GRACE (5s), SOAK_FAULTS_AT (seconds after the start, "30 60 90": every fault but
# the last is a fast restart, the last is the SIGKILL; set it empty for no faults).
# DATABASE_URL is ignored: the soak needs a cluster of its own to break.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source-path=SCRIPTDIR source=lib/pg.sh
source "$root/scripts/lib/pg.sh"

writers="${SOAK_WRITERS:-32}"
read -r -a fault_at <<<"${SOAK_FAULTS_AT-30 60 90}"

section() {
	printf '\n==> %s (at %ds)\n' "$*" "$SECONDS"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/forum-soak.XXXXXX")"
cluster="$work/pg"
faults="$work/faults"
ready="$work/ready"
server_pids=()
schedule_pid=""
status=1

# cleanup stops what this script started (by pid), keeps the logs of a failed run, and
# removes the cluster and the temporary directory.
cleanup() {
	set +e
	if [[ -n "$schedule_pid" ]]; then
		kill "$schedule_pid" 2>/dev/null
		wait "$schedule_pid" 2>/dev/null
	fi
	for pid in "${server_pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${server_pids[@]}"; do
		wait "$pid" 2>/dev/null
	done
	if [[ $status -ne 0 ]]; then
		local keep="$root/.data/soak"
		rm -rf -- "$keep"
		mkdir -p "$keep"
		cp -- "$work"/*.log "$keep/" 2>/dev/null
		cp -- "$cluster/log" "$keep/postgresql.log" 2>/dev/null
		cp -- "$faults" "$keep/faults" 2>/dev/null
		printf 'soak: logs kept in %s\n' "$keep" >&2
	fi
	pg_cleanup_dir "$cluster"
	rm -rf -- "$work"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section "PostgreSQL (throwaway, in $work)"
# synchronous_commit stays on: with it off, a SIGKILL can lose commits the forum has
# already acknowledged, a loss the soak would wrongly blame on the forum. fsync=off is
# safe here: a killed process leaves what it wrote in the kernel's page cache. Lock
# waits and slow statements go to the log kept after a failed run.
pg_init_cluster "$cluster" --no-sync
pg_start "$cluster" -c fsync=off -c full_page_writes=off -c max_connections=200 \
	-c log_lock_waits=on -c log_min_duration_statement=1000
psql="$(pg_client psql)"
"$psql" -X -q -v ON_ERROR_STOP=1 -d "$(pg_url "$cluster" postgres)" -c 'CREATE DATABASE forum'
DATABASE_URL="$(pg_url "$cluster" forum)"
export DATABASE_URL

section "build"
go build -o "$work/forum" ./cmd/forum
go test -c -tags soak -o "$work/soak.test" ./internal/soak

section "migrate, seed, $writers writer accounts"
"$work/forum" migrate 2>>"$work/setup.log"
"$work/forum" seed 2>>"$work/setup.log"
# add_user NAME: create the account with a long random password (no strength rule can
# refuse it) and note the login for the driver.
add_user() {
	local pw
	pw="$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')"
	printf '%s\n' "$pw" | "$work/forum" user add "$1" --role member 2>>"$work/setup-$1.log"
	printf '%s %s\n' "$1" "$pw" >"$work/account-$1"
}
# Eight at a time: each is a process start, a connection and an argon2id hash.
user_pids=()
for ((i = 1; i <= writers; i++)); do
	add_user "$(printf 'soak-w%02d' "$i")" &
	user_pids+=("$!")
	if ((${#user_pids[@]} == 8)) || ((i == writers)); then
		for pid in "${user_pids[@]}"; do
			wait "$pid"
		done
		user_pids=()
	fi
done
cat "$work"/account-* >"$work/accounts"

section "two instances"
# free_port prints a loopback port nothing listens on (other than those in $@).
free_port() {
	local p
	for _ in {1..100}; do
		p=$((20000 + RANDOM % 40000))
		[[ " $* " == *" $p "* ]] && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	echo "soak: no free loopback port found" >&2
	return 1
}
port_a="$(free_port)"
port_b="$(free_port "$port_a")"
FORUM_SESSION_KEY="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
export FORUM_SESSION_KEY
# The rate limits count per person and per address, and every writer here is a new
# account on one address: at the defaults the soak would spend its time waiting on 429s.
# They are raised so it measures faults, not limits (the driver still honours a 429's
# Retry-After, and the figures show any). The stream cap leaves room for a reconnect
# that overlaps its dying predecessor.
export FORUM_LIMIT_REPLIES="${FORUM_LIMIT_REPLIES:-100000/1m}"
export FORUM_LIMIT_REPLIES_NEW="${FORUM_LIMIT_REPLIES_NEW:-100000/1m}"
export FORUM_LIMIT_LOGIN_ADDRESS="${FORUM_LIMIT_LOGIN_ADDRESS:-10000/15m}"
export FORUM_MAX_STREAMS_PER_ADDRESS="${FORUM_MAX_STREAMS_PER_ADDRESS:-64}"
start_instance() { # NAME PORT
	FORUM_ADDR="127.0.0.1:$2" FORUM_BASE_URL="http://127.0.0.1:$2" \
		"$work/forum" serve >"$work/$1.log" 2>&1 &
	server_pids+=("$!")
}
start_instance instance-a "$port_a"
start_instance instance-b "$port_b"
echo "instances on 127.0.0.1:$port_a and 127.0.0.1:$port_b (the driver waits for them)"

# The fault schedule, in the background: it starts counting when the driver says every
# writer is logged in and every stream is open, and logs "<time> start|up <kind>" for
# the driver to classify 5xx answers with.
now() { date +%s.%N; }
db_up() { "$psql" -X -q -At -d "$DATABASE_URL" -c 'SELECT 1' >/dev/null 2>&1; }
pg_ctl_restart() {
	pg_as_owner "$PG_BINDIR/pg_ctl" restart --pgdata="$cluster/data" --log="$cluster/log" \
		--mode=fast --wait --timeout=60 >>"$work/faults.log" 2>&1
}
fault() { # KIND
	local kind="$1" pid try
	printf '%s start %s\n' "$(now)" "$kind" >>"$faults"
	echo "soak: fault $kind at $(date +%T)"
	case "$kind" in
	restart)
		pg_ctl_restart || echo "soak: pg_ctl restart failed; see faults.log" >&2
		;;
	kill)
		pid="$(head -n 1 "$cluster/data/postmaster.pid")"
		kill -9 "$pid"
		# Until the dead postmaster is reaped its pid still answers kill -0 and
		# PostgreSQL refuses to start over it; its backends exit on their own.
		for try in {1..600}; do
			[[ -d "/proc/$pid" ]] || break
			sleep 0.1
		done
		# pg_ctl restart reuses the options the cluster was started with; a backend
		# of the dead postmaster still holding shared memory makes it fail: retry.
		for try in {1..30}; do
			pg_ctl_restart && break
			sleep 0.5
		done
		;;
	esac
	for try in {1..600}; do
		if db_up; then
			printf '%s up %s\n' "$(now)" "$kind" >>"$faults"
			echo "soak: database back at $(date +%T)"
			return 0
		fi
		sleep 0.1
	done
	echo "soak: the database did not come back after the $kind" >&2
}
schedule() {
	local i t0 kind
	for i in {1..1800}; do
		[[ -f "$ready" ]] && break
		sleep 0.1
	done
	[[ -f "$ready" ]] || return 0
	t0="$(date +%s)"
	for i in "${!fault_at[@]}"; do
		kind=restart
		((i == ${#fault_at[@]} - 1)) && kind=kill
		sleep "$((t0 + fault_at[i] - $(date +%s)))" 2>/dev/null || true
		fault "$kind"
	done
}
: >"$faults"
schedule &
schedule_pid="$!"

section "soak"
SOAK_URLS="http://127.0.0.1:$port_a,http://127.0.0.1:$port_b" \
	SOAK_DATABASE_URL="$DATABASE_URL" SOAK_ACCOUNTS="$work/accounts" \
	SOAK_READY="$ready" SOAK_FAULTS="$faults" \
	"$work/soak.test" -test.run '^TestSoak$' -test.v -test.count=1 -test.timeout=8m && status=0 || status=$?
# The faults are over long before the clock stops; a schedule still running means the
# driver stopped early.
kill "$schedule_pid" 2>/dev/null || true
wait "$schedule_pid" 2>/dev/null || true
schedule_pid=""
for pid in "${server_pids[@]}"; do
	kill -0 "$pid" 2>/dev/null || {
		echo "soak: an instance (pid $pid) died during the run" >&2
		status=1
	}
done
if [[ $status -eq 0 ]]; then
	section "soak passed"
else
	section "soak FAILED (status $status)"
fi
exit "$status"

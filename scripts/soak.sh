#!/usr/bin/env bash
#
# scripts/soak.sh — the soak run (`make soak`): about two minutes of load on two
# `forum serve` instances sharing one PostgreSQL that is broken underneath them.
#
# 32 writers (accounts made with `forum user add`) post replies through the thread
# page's reply form, alternating instances and resending the same form (same `idem`
# key) after an error or a timeout; 16 anonymous readers read pages, JSON and feeds; one
# event stream per written thread stays open on each instance, reconnecting with
# Last-Event-ID. The first SOAK_MAILERS writers have an address, and for each an
# anonymous browser asks for a password reset (`POST /forgot`) about every SOAK_MAIL_THINK,
# alternating instances; the instances send the outbox over SMTP to a sink of the soak's
# own (internal/soak/mailsink, STARTTLS, trusted through SSL_CERT_FILE) that records each
# message, that refuses everything with a 451 for SOAK_SMTP_REFUSE from the first fault
# on, and that holds the mail it is given unanswered for the SOAK_SMTP_HOLD seconds
# before the SIGKILL, answering once the postmaster is dead (so a sender's "sent" mark
# meets the outage). Meanwhile PostgreSQL is restarted (fast) at ~30 s and ~60 s and its
# postmaster is killed with SIGKILL at ~90 s, then started again; the clock stops at
# ~120 s. The driver is the test behind the `soak` build tag in internal/soak: it prints
# the figures and fails when an acknowledged reply is lost or doubled, when a 5xx comes
# outside the outage windows (fault → database accepting connections again, plus a
# grace), or when a stream never got an acknowledged reply's event; then it waits (up to
# SOAK_MAIL_DRAIN) for the outbox to empty and fails when a mail was lost, arrived twice,
# failed, or when an acknowledged reset request queued no mail.
#
# Everything is on loopback, in a temporary directory removed on exit, pass or fail or
# Ctrl-C; the development cluster in .data/pg is never touched. When the run fails, the
# instances' and PostgreSQL's logs are kept in .data/soak/.
#
# Settings (environment): SOAK_DURATION (120s), SOAK_WRITERS (32), SOAK_READERS (16),
# SOAK_THREADS (3), SOAK_THINK (1s, mean pause between one person's requests),
# SOAK_GRACE (5s), SOAK_FAULTS_AT (seconds after the start, "30 60 90": every fault but
# the last is a fast restart, the last is the SIGKILL; set it empty for no faults),
# SOAK_MAILERS (8), SOAK_MAIL_THINK (3s), SOAK_SMTP_REFUSE (10s; 0s: never),
# SOAK_SMTP_HOLD (2, whole seconds; 0: never),
# SOAK_MAIL_DRAIN (6m: longer than the sender's lease, which a mail claimed just as the
# database went away waits out).
# DATABASE_URL is ignored: the soak needs a cluster of its own to break.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source-path=SCRIPTDIR source=lib/pg.sh
source "$root/scripts/lib/pg.sh"

writers="${SOAK_WRITERS:-32}"
mailers="${SOAK_MAILERS:-8}"
smtp_refuse="${SOAK_SMTP_REFUSE:-10s}"
smtp_hold="${SOAK_SMTP_HOLD:-2}"
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
sink_pid=""
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
	if [[ -n "$sink_pid" ]]; then
		kill "$sink_pid" 2>/dev/null
		wait "$sink_pid" 2>/dev/null
	fi
	if [[ $status -ne 0 ]]; then
		local keep="$root/.data/soak"
		rm -rf -- "$keep"
		mkdir -p "$keep"
		cp -- "$work"/*.log "$keep/" 2>/dev/null
		cp -- "$cluster/log" "$keep/postgresql.log" 2>/dev/null
		cp -- "$faults" "$keep/faults" 2>/dev/null
		cp -- "$work/mail.jsonl" "$work/smtp-windows" "$keep/" 2>/dev/null
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
go build -tags soak -o "$work/mailsink" ./internal/soak/mailsink

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
# The first $mailers writers get a confirmed address, set directly (confirming by mail
# is not what this run is about); the driver asks the database which accounts have one.
mail_names=()
for ((i = 1; i <= mailers && i <= writers; i++)); do
	mail_names+=("$(printf 'soak-w%02d' "$i")")
done
if ((${#mail_names[@]} > 0)); then
	names="$(
		IFS=,
		printf '%s' "${mail_names[*]}"
	)"
	"$psql" -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -v names="$names" <<'SQL'
UPDATE users SET email = username || '@example.org' WHERE username = ANY(string_to_array(:'names', ','));
SQL
fi

section "SMTP sink"
"$work/mailsink" -dir "$work" -refuse "$smtp_refuse" >"$work/mailsink.log" 2>&1 &
sink_pid="$!"
for _ in {1..100}; do
	[[ -f "$work/smtp-url" ]] && break
	kill -0 "$sink_pid" 2>/dev/null || break
	sleep 0.1
done
if [[ ! -f "$work/smtp-url" ]]; then
	echo "soak: the SMTP sink did not start; see mailsink.log" >&2
	exit 1
fi
smtp_url="$(cat "$work/smtp-url")"
echo "SMTP sink on ${smtp_url##*@}"

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
# Every acknowledged reset request must queue a mail: past the per-account limit the
# answer is the same page but no mail goes, which the driver could not tell apart.
export FORUM_LIMIT_PASSWORD_RESETS="${FORUM_LIMIT_PASSWORD_RESETS:-100000/1m}"
export FORUM_LIMIT_PASSWORD_RESETS_ADDRESS="${FORUM_LIMIT_PASSWORD_RESETS_ADDRESS:-100000/1m}"
# The sink's certificate is trusted by the instances alone (SSL_CERT_FILE); a short poll
# sends the outbox soon after each fault.
start_instance() { # NAME PORT
	FORUM_ADDR="127.0.0.1:$2" FORUM_BASE_URL="http://127.0.0.1:$2" \
		FORUM_SMTP_URL="$smtp_url" FORUM_MAIL_FROM="Soak forum <forum@example.org>" \
		FORUM_MAIL_POLL="${FORUM_MAIL_POLL:-500ms}" SSL_CERT_FILE="$work/smtp-cert.pem" \
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
		# The mail held since before the kill is answered now, with the database dead.
		if ((smtp_hold > 0)); then
			kill -USR2 "$sink_pid" 2>/dev/null || true
		fi
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
		if [[ $kind == kill ]] && ((smtp_hold > 0)); then
			sleep "$((t0 + fault_at[i] - smtp_hold - $(date +%s)))" 2>/dev/null || true
			kill -USR2 "$sink_pid" 2>/dev/null || true
		fi
		sleep "$((t0 + fault_at[i] - $(date +%s)))" 2>/dev/null || true
		# The mail server refuses too, from the first fault on, so mail queued before and
		# during it is retried across the database's return.
		if ((i == 0)) && [[ "$smtp_refuse" != 0 && "$smtp_refuse" != 0s ]]; then
			kill -USR1 "$sink_pid" 2>/dev/null || true
		fi
		fault "$kind"
	done
}
: >"$faults"
schedule &
schedule_pid="$!"

section "soak"
mail_log="" # no account with an address: no mail, nothing to check
((${#mail_names[@]} > 0)) && mail_log="$work/mail.jsonl"
SOAK_URLS="http://127.0.0.1:$port_a,http://127.0.0.1:$port_b" \
	SOAK_DATABASE_URL="$DATABASE_URL" SOAK_ACCOUNTS="$work/accounts" \
	SOAK_READY="$ready" SOAK_FAULTS="$faults" \
	SOAK_MAIL_LOG="$mail_log" SOAK_SMTP_WINDOWS="$work/smtp-windows" \
	"$work/soak.test" -test.run '^TestSoak$' -test.v -test.count=1 -test.timeout=15m && status=0 || status=$?
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
kill -0 "$sink_pid" 2>/dev/null || {
	echo "soak: the SMTP sink died during the run; see mailsink.log" >&2
	status=1
}
if [[ $status -eq 0 ]]; then
	section "soak passed"
else
	section "soak FAILED (status $status)"
fi
exit "$status"

# shellcheck shell=bash
#
# scripts/lib/pg.sh — helpers for running private PostgreSQL clusters.
#
# Source this file; it defines functions only (plus a few PG_* globals) and
# does not change shell options of the caller. Every cluster lives in one
# base directory DIR laid out as:
#
#   DIR/data   the cluster (initdb target)
#   DIR/sock   the unix socket directory (TCP is disabled)
#   DIR/log    the server log
#
# PostgreSQL refuses to run as root. When these helpers are used by root
# the server-side tools (initdb, pg_ctl) are run as the `postgres` system
# user and DIR is handed over to that user. Clients (psql, the Go code)
# keep running as the caller and connect over the socket with trust auth.
#
# All diagnostics go to stderr so scripts can keep stdout for results.

# Guard against being sourced twice.
if [[ -n "${PG_LIB_LOADED:-}" ]]; then
	return 0
fi
PG_LIB_LOADED=1

# The OS user that owns clusters when we are root.
PG_OS_USER="${PG_OS_USER:-postgres}"
# The database superuser created by initdb (matches DATABASE_URL).
PG_SUPERUSER="postgres"
# Directory holding initdb/pg_ctl/postgres; filled by pg_find_bindir.
PG_BINDIR="${PG_BINDIR:-}"
# Base dir of the cluster started by pg_throwaway_start, if any.
PG_THROWAWAY_DIR=""

# A unix socket path must fit in sockaddr_un.sun_path (108 bytes on Linux,
# including the terminating NUL). The server appends "/.s.PGSQL.NNNNN".
PG_MAX_SOCKET_PATH=100

pg_log() {
	printf '[pg] %s\n' "$*" >&2
}

pg_die() {
	printf '[pg] error: %s\n' "$*" >&2
	exit 1
}

# pg__has_server_bins DIR: true when DIR contains the three server tools.
pg__has_server_bins() {
	[[ -x "$1/initdb" && -x "$1/pg_ctl" && -x "$1/postgres" ]]
}

# pg__search_bindir: print a directory with the server tools or fail.
# Looks at PATH first (resolving Debian-style symlinks to their real
# directory), then at /usr/lib/postgresql/*/bin, highest version first.
pg__search_bindir() {
	local exe dir
	if exe="$(command -v pg_ctl 2>/dev/null)"; then
		# Prefer the directory pg_ctl really lives in: that is where it
		# looks for `postgres`, and where psql of the same version is.
		dir="$(dirname "$(readlink -f "$exe")")"
		if pg__has_server_bins "$dir"; then
			printf '%s\n' "$dir"
			return 0
		fi
		dir="$(dirname "$exe")"
		if pg__has_server_bins "$dir"; then
			printf '%s\n' "$dir"
			return 0
		fi
	fi
	# Debian installs versioned trees that are not on PATH by default.
	# `sort -V` orders 9.6 < 10 < 15 correctly; take the last one.
	dir="$(
		for d in /usr/lib/postgresql/*/bin; do
			pg__has_server_bins "$d" && printf '%s\n' "$d"
		done | sort -V | tail -n 1
	)"
	if [[ -n "$dir" ]]; then
		printf '%s\n' "$dir"
		return 0
	fi
	return 1
}

# pg__install_server: install Debian's PostgreSQL server package (root only).
pg__install_server() {
	pg_log "PostgreSQL server binaries not found; installing Debian's postgresql package"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update >&2
	apt-get install -y --no-install-recommends postgresql >&2
	# The package starts a system cluster through its service scripts where
	# possible. We never use it; the helpers below run private clusters.
}

# pg_find_bindir: set PG_BINDIR, installing PostgreSQL first when possible.
pg_find_bindir() {
	if [[ -n "$PG_BINDIR" ]] && pg__has_server_bins "$PG_BINDIR"; then
		return 0
	fi
	if PG_BINDIR="$(pg__search_bindir)"; then
		return 0
	fi
	if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		pg__install_server
		if PG_BINDIR="$(pg__search_bindir)"; then
			return 0
		fi
	fi
	pg_die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install them (Debian: apt-get install postgresql) or set DATABASE_URL to an existing server"
}

# pg_client BIN: print the path of a client tool (psql, createdb, ...),
# preferring the one that matches the server version.
pg_client() {
	if [[ -n "$PG_BINDIR" && -x "$PG_BINDIR/$1" ]]; then
		printf '%s\n' "$PG_BINDIR/$1"
	elif command -v "$1" >/dev/null 2>&1; then
		command -v "$1"
	else
		pg_die "PostgreSQL client '$1' not found (Debian: apt-get install postgresql-client)"
	fi
}

# pg__ensure_os_user: when root, make sure the cluster owner account exists.
# The Debian package creates it; a source build might not have.
pg__ensure_os_user() {
	[[ $EUID -eq 0 ]] || return 0
	id -u "$PG_OS_USER" >/dev/null 2>&1 && return 0
	command -v useradd >/dev/null 2>&1 ||
		pg_die "system user '$PG_OS_USER' is missing and useradd is unavailable; create it to run PostgreSQL as root"
	pg_log "creating system user '$PG_OS_USER'"
	useradd --system --user-group --no-create-home --home-dir / \
		--shell /usr/sbin/nologin "$PG_OS_USER"
}

# pg_as_owner CMD...: run CMD as the cluster owner. That is the caller
# itself unless we are root, in which case it is $PG_OS_USER. The command
# runs from / so the owner never trips over an unreadable working dir.
pg_as_owner() {
	if [[ $EUID -ne 0 ]]; then
		(cd / && "$@")
	elif command -v runuser >/dev/null 2>&1; then
		(cd / && runuser -u "$PG_OS_USER" -- "$@")
	else
		# su needs a single command string; quote every argument.
		local cmd="" arg
		for arg in "$@"; do
			cmd+=" $(pg__shquote "$arg")"
		done
		(cd / && su "$PG_OS_USER" -s /bin/sh -c "exec$cmd")
	fi
}

# pg__shquote STR: quote STR for a POSIX shell (single quotes).
pg__shquote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}

# pg__urlencode STR: percent-encode STR for a URL query value, keeping '/'
# readable since socket paths are full of them.
pg__urlencode() {
	local s="$1" out="" c i
	local LC_ALL=C
	for ((i = 0; i < ${#s}; i++)); do
		c="${s:i:1}"
		case "$c" in
		[A-Za-z0-9._~/-]) out+="$c" ;;
		*) out+="$(printf '%%%02X' "'$c")" ;;
		esac
	done
	printf '%s\n' "$out"
}

# pg__abspath DIR: print DIR as an absolute path (DIR need not exist yet).
pg__abspath() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$PWD" "$1" ;;
	esac
}

# pg_sock_dir DIR: print the socket directory for the cluster in DIR.
# Normally DIR/sock; when that path would be too long for a unix socket a
# short directory under /tmp derived from DIR's path is used instead.
pg_sock_dir() {
	local dir sock sum
	dir="$(pg__abspath "$1")"
	sock="$dir/sock"
	# 15 = length of the "/.s.PGSQL.65535" suffix the server appends.
	if ((${#sock} + 15 > PG_MAX_SOCKET_PATH)); then
		sum="$(printf '%s' "$dir" | cksum | cut -d' ' -f1)"
		sock="/tmp/forum-pg-$sum"
	fi
	printf '%s\n' "$sock"
}

# pg__make_traversable PATH: make sure the cluster owner can reach PATH by
# adding o+x to any ancestor directory it cannot enter. Only needed as root.
pg__make_traversable() {
	[[ $EUID -eq 0 ]] || return 0
	local p="$1"
	local -a ancestors=()
	while [[ "$p" != "/" && -n "$p" ]]; do
		p="$(dirname "$p")"
		ancestors=("$p" "${ancestors[@]}")
	done
	for p in "${ancestors[@]}"; do
		if ! pg_as_owner test -x "$p" 2>/dev/null; then
			pg_log "granting search permission on $p so '$PG_OS_USER' can reach the cluster"
			chmod o+x "$p"
		fi
	done
}

# pg__prepare_dir DIR: create DIR (and the socket dir) owned by the owner.
pg__prepare_dir() {
	local dir="$1" sock
	sock="$(pg_sock_dir "$dir")"
	mkdir -p "$dir" "$sock"
	chmod 700 "$dir" "$sock"
	if [[ $EUID -eq 0 ]]; then
		pg__ensure_os_user
		chown "$PG_OS_USER:" "$dir" "$sock"
		pg__make_traversable "$dir"
		pg__make_traversable "$sock"
	fi
}

# pg_locale: print the locale for initdb (C.UTF-8 when available, else C).
pg_locale() {
	if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
		printf 'C.UTF-8\n'
	else
		printf 'C\n'
	fi
}

# pg_init_cluster DIR [initdb options...]: create the cluster in DIR/data
# unless one is already there.
pg_init_cluster() {
	local dir
	dir="$(pg__abspath "$1")"
	shift
	pg_find_bindir
	pg__prepare_dir "$dir"
	if [[ -f "$dir/data/PG_VERSION" ]]; then
		return 0
	fi
	pg_log "initialising cluster in $dir/data ($("$PG_BINDIR/postgres" --version))"
	# initdb is chatty; keep its output in a file and show it on failure.
	if ! pg_as_owner "$PG_BINDIR/initdb" \
		--pgdata="$dir/data" \
		--username="$PG_SUPERUSER" \
		--auth=trust \
		--encoding=UTF8 \
		--locale="$(pg_locale)" \
		--no-instructions \
		"$@" >"$dir/initdb.log" 2>&1; then
		pg_log "initdb failed:"
		cat "$dir/initdb.log" >&2
		return 1
	fi
}

# pg_is_running DIR: true when the cluster in DIR has a live postmaster.
pg_is_running() {
	local dir
	dir="$(pg__abspath "$1")"
	[[ -f "$dir/data/PG_VERSION" ]] || return 1
	pg_find_bindir
	pg_as_owner "$PG_BINDIR/pg_ctl" status --pgdata="$dir/data" >/dev/null 2>&1
}

# pg_start DIR [postgres options...]: start the cluster in DIR listening
# only on its unix socket, waiting until it accepts connections. Extra
# arguments are passed to postgres, e.g. `-c fsync=off`. A cluster that is
# already running is left alone (and keeps its current options).
pg_start() {
	local dir sock opts arg
	dir="$(pg__abspath "$1")"
	shift
	pg_find_bindir
	if pg_is_running "$dir"; then
		pg_log "cluster in $dir is already running"
		return 0
	fi
	pg__prepare_dir "$dir"
	sock="$(pg_sock_dir "$dir")"
	# pg_ctl hands -o to /bin/sh, so every word is quoted for that shell.
	opts="-c listen_addresses='' -c unix_socket_directories=$(pg__shquote "$sock")"
	for arg in "$@"; do
		opts+=" $(pg__shquote "$arg")"
	done
	pg_log "starting cluster in $dir (socket in $sock)"
	if ! pg_as_owner "$PG_BINDIR/pg_ctl" start \
		--pgdata="$dir/data" \
		--log="$dir/log" \
		--wait --timeout=60 \
		--options="$opts" >&2; then
		pg_log "server failed to start; last lines of $dir/log:"
		tail -n 20 "$dir/log" >&2 || true
		return 1
	fi
}

# pg_stop DIR: stop the cluster in DIR (fast shutdown). Not running, or not
# even initialised, is fine.
pg_stop() {
	local dir
	dir="$(pg__abspath "$1")"
	if ! pg_is_running "$dir"; then
		return 0
	fi
	pg_log "stopping cluster in $dir"
	pg_as_owner "$PG_BINDIR/pg_ctl" stop --pgdata="$dir/data" --mode=fast --wait >&2
}

# pg_url DIR [DBNAME]: print the lib/pq/libpq URL for DBNAME (default
# "postgres") as the superuser over the cluster's unix socket.
pg_url() {
	local sock
	sock="$(pg_sock_dir "$1")"
	printf 'postgres://%s@/%s?host=%s&sslmode=disable\n' \
		"$PG_SUPERUSER" "${2:-postgres}" "$(pg__urlencode "$sock")"
}

# pg_cleanup_dir DIR: stop the cluster in DIR and remove DIR and, if one
# was used, its out-of-tree socket directory. Never fails.
pg_cleanup_dir() {
	local dir sock
	dir="$(pg__abspath "$1")"
	sock="$(pg_sock_dir "$dir")"
	pg_stop "$dir" || pg_log "warning: could not stop cluster in $dir"
	rm -rf -- "$dir" || true
	if [[ "$sock" != "$dir/"* ]]; then
		rm -rf -- "$sock" || true
	fi
}

# pg__throwaway_cleanup: EXIT trap installed by pg_throwaway_start.
pg__throwaway_cleanup() {
	local dir="$PG_THROWAWAY_DIR"
	PG_THROWAWAY_DIR=""
	[[ -n "$dir" ]] || return 0
	# Run in a subshell without -e so a hiccup cannot skip the rm.
	(set +e; pg_cleanup_dir "$dir")
	return 0
}

# pg_throwaway_start [postgres options...]: create a temporary cluster,
# start it tuned for speed over durability and export DATABASE_URL pointing
# at its `postgres` database as the superuser. The cluster is stopped and
# its directory removed when the calling shell exits, including on errors
# and on SIGINT/SIGTERM. This replaces any EXIT/INT/TERM traps of the caller.
pg_throwaway_start() {
	local dir
	pg_find_bindir
	dir="$(mktemp -d "${TMPDIR:-/tmp}/forum-pg.XXXXXX")"
	# Install the trap before anything can fail half-way.
	PG_THROWAWAY_DIR="$dir"
	trap pg__throwaway_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# --no-sync: nothing here needs to survive a crash.
	pg_init_cluster "$dir" --no-sync
	pg_start "$dir" \
		-c fsync=off \
		-c synchronous_commit=off \
		-c full_page_writes=off \
		-c max_connections=300 \
		-c shared_buffers=128MB \
		"$@"
	DATABASE_URL="$(pg_url "$dir" postgres)"
	export DATABASE_URL
	pg_log "throwaway cluster ready: DATABASE_URL=$DATABASE_URL"
}

# pg_replica_start DIR PRIMARY_URL [postgres options...]: make a hot-standby streaming
# replica of the server at PRIMARY_URL (a libpq URL) in DIR with pg_basebackup -R and
# start it like pg_start. The primary needs wal_level=replica, a free WAL sender and a
# pg_hba.conf line for `replication` connections (initdb's trust setup has one). Exits
# 3 (pg_basebackup's log on stderr) when the primary refuses.
pg_replica_start() {
	local dir conn
	dir="$(pg__abspath "$1")"
	conn="$2"
	shift 2
	pg_find_bindir
	pg__prepare_dir "$dir"
	if [[ ! -f "$dir/data/PG_VERSION" ]]; then
		pg_log "copying the primary into $dir/data (pg_basebackup)"
		if ! pg_as_owner "$(pg_client pg_basebackup)" -D "$dir/data" -d "$conn" \
			-R -X stream -c fast --no-sync >"$dir/basebackup.log" 2>&1; then
			pg_log "pg_basebackup failed:"
			cat "$dir/basebackup.log" >&2
			return 3
		fi
	fi
	pg_start "$dir" -c hot_standby=on "$@"
}

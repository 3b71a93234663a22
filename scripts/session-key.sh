#!/usr/bin/env bash
#
# scripts/session-key.sh — print the development session key, creating it
# on first use.
#
# The key lives in .data/session_key as 64 hex characters (32 random bytes)
# and is readable only by its owner. `make run` exports it as
# FORUM_SESSION_KEY when that variable is not already set, so sessions
# survive restarts of the development server.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
key_file="$root/.data/session_key"

if [[ ! -s "$key_file" ]]; then
	mkdir -p "$root/.data"
	# Create the file private from the start, then fill it.
	(
		umask 077
		od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$key_file.tmp"
	)
	mv -f "$key_file.tmp" "$key_file"
	echo "[dev] generated a new session key in $key_file" >&2
fi
chmod 600 "$key_file"

key="$(tr -d ' \n' <"$key_file")"
if [[ ! "$key" =~ ^[0-9a-f]{64}$ ]]; then
	echo "[dev] error: $key_file does not hold 64 hex characters; delete it to generate a new key" >&2
	exit 1
fi
printf '%s\n' "$key"

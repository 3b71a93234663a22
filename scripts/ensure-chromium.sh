#!/usr/bin/env bash
#
# scripts/ensure-chromium.sh — make sure a Chromium browser is available for
# the browser tests, installing Debian's package when we are allowed to.
#
# Exits 0 after printing the browser's path and version, or 1 with an
# explanation. It never lets the browser tests be skipped silently.
set -euo pipefail

# find_browser: print the first Chromium executable on PATH.
find_browser() {
	local name
	for name in chromium chromium-browser; do
		if command -v "$name" >/dev/null 2>&1; then
			command -v "$name"
			return 0
		fi
	done
	return 1
}

if ! browser="$(find_browser)"; then
	if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		echo "chromium not found; installing Debian's chromium package" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update
		# fonts-dejavu-core gives screenshots readable text.
		apt-get install -y --no-install-recommends chromium fonts-dejavu-core
		browser="$(find_browser)" || {
			echo "error: chromium was installed but is not on PATH" >&2
			exit 1
		}
	else
		echo "error: browser tests need Debian's chromium package: apt-get install chromium" >&2
		exit 1
	fi
fi

# Print the version to prove the binary actually starts.
if ! version="$("$browser" --version 2>/dev/null)"; then
	echo "error: $browser is on PATH but '$browser --version' fails" >&2
	exit 1
fi
echo "chromium: $browser ($version)"

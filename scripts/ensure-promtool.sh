#!/usr/bin/env bash
#
# scripts/ensure-promtool.sh — make sure promtool is available to check the
# Prometheus alert rules in deploy/prometheus/ (deploy/deploy_test.go),
# installing Debian's prometheus package (which ships promtool) when we are
# allowed to, as scripts/ensure-chromium.sh does for the browser.
#
# The package is large, so it is installed once: `command -v promtool` first.
# Its own prometheus service is never used. Exits 0 after printing promtool's
# path and version, or 1 naming what to install; the check is never skipped.
set -euo pipefail

if ! command -v promtool >/dev/null 2>&1; then
	if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		echo "promtool not found; installing Debian's prometheus package" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update
		apt-get install -y --no-install-recommends prometheus
		# The package starts its own server where it can; nothing here uses it.
		if command -v systemctl >/dev/null 2>&1; then
			systemctl stop prometheus >/dev/null 2>&1 || true
		fi
		command -v promtool >/dev/null 2>&1 || {
			echo "error: prometheus was installed but promtool is not on PATH" >&2
			exit 1
		}
	else
		echo "error: the alert rules check needs promtool from Debian's prometheus package: apt-get install prometheus" >&2
		exit 1
	fi
fi

# Print the version to prove the binary actually starts.
if ! version="$(promtool --version 2>&1 | head -n 1)"; then
	echo "error: promtool is on PATH but 'promtool --version' fails" >&2
	exit 1
fi
echo "promtool: $(command -v promtool) ($version)"

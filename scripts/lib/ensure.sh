# shellcheck shell=bash
#
# scripts/lib/ensure.sh — ensure_debian_tool, shared by scripts/ensure-caddy.sh and
# scripts/ensure-pgbouncer.sh (the way scripts/ensure-chromium.sh finds the browser).

# ensure__path NAME: print NAME's executable, also looking in /usr/sbin, where Debian
# puts pgbouncer (not on a normal user's PATH).
ensure__path() {
	if command -v "$1" >/dev/null 2>&1; then
		command -v "$1"
	elif [[ -x "/usr/sbin/$1" ]]; then
		printf '/usr/sbin/%s\n' "$1"
	else
		return 1
	fi
}

# ensure_debian_tool NAME VERSION_ARG: make sure NAME runs, installing Debian's package
# NAME when it is missing and we are root (else one line naming what to install, and
# exit 1). Prints "NAME: PATH (VERSION)". Never lets a test be skipped silently.
ensure_debian_tool() {
	local name="$1" version_arg="$2" path version
	if ! path="$(ensure__path "$name")"; then
		if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
			echo "$name not found; installing Debian's $name package" >&2
			export DEBIAN_FRONTEND=noninteractive
			apt-get update >&2
			apt-get install -y --no-install-recommends "$name" >&2
			path="$(ensure__path "$name")" || {
				echo "error: $name was installed but is not found (looked on PATH and in /usr/sbin)" >&2
				exit 1
			}
		else
			echo "error: the many-instance tests need Debian's $name package: apt-get install $name" >&2
			exit 1
		fi
	fi
	# The version proves the binary actually starts.
	if ! version="$("$path" "$version_arg" 2>/dev/null | head -n 1)"; then
		echo "error: $path is there but '$path $version_arg' fails" >&2
		exit 1
	fi
	echo "$name: $path ($version)"
}

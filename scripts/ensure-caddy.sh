#!/usr/bin/env bash
#
# scripts/ensure-caddy.sh — make sure Debian's caddy is available (the many-instance tests in
# internal/multitest start a private one on a loopback port; the package's own service
# is never used), installing the package when missing and root, else one clear error.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/ensure.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/ensure.sh"
ensure_debian_tool caddy version

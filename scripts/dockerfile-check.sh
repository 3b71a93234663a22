#!/usr/bin/env bash
#
# scripts/dockerfile-check.sh — check the Dockerfile without a container engine (none
# runs on the project's machines): run its build step as written, prove the binary is
# static and built as the image expects, and check the runtime stage runs as a non-root
# user with a HEALTHCHECK the binary answers. `make test` runs it; it reuses the Go
# build cache, so it takes seconds.
#
# What it cannot check is said in docs/operations.md: the base images themselves, and
# that `docker build` and `docker compose up` really run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dockerfile="$root/Dockerfile"

fail() {
	printf 'dockerfile-check: %s\n' "$*" >&2
	exit 1
}

command -v file >/dev/null 2>&1 || fail "'file' not found (Debian: apt-get install file)"

# The build step, exactly as the Dockerfile has it, writing into a temporary directory
# instead of /out.
build_line="$(grep -E '^RUN CGO_ENABLED=0 go build ' "$dockerfile")" ||
	fail "no 'RUN CGO_ENABLED=0 go build ...' step in the Dockerfile"
[[ "$(grep -cE '^RUN CGO_ENABLED=0 go build ' "$dockerfile")" -eq 1 ]] ||
	fail "more than one go build step in the Dockerfile"
out_path="$(sed -nE 's/.* -o ([^ ]+) .*/\1/p' <<<"$build_line")"
[[ -n "$out_path" ]] || fail "the build step names no output (-o PATH): $build_line"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# DOCKERFILE_CHECK_OUT keeps the binary (make test runs its many-instance tests on it,
# so the suite builds the server once, exactly as the image does).
bin="${DOCKERFILE_CHECK_OUT:-$tmp/forum}"
mkdir -p "$(dirname "$bin")"
cmd="${build_line#RUN }"
cmd="${cmd//"$out_path"/"$bin"}"
echo "build: $cmd"
bash -c "$cmd"

# Static: no interpreter, no C library (the runtime image has none).
desc="$(file -b "$bin")"
[[ "$desc" == *"statically linked"* ]] || fail "the binary is not static: $desc"
settings="$(go version -m "$bin")"
grep -qE '^\s+build\s+CGO_ENABLED=0$' <<<"$settings" || fail "the binary was not built with CGO_ENABLED=0"
grep -qE '^\s+build\s+-trimpath=true$' <<<"$settings" || fail "the binary was not built with -trimpath"
echo "static: $desc"

# The runtime stage: the last FROM and what follows it.
runtime="$(awk '/^FROM /{stage=""} {stage = stage $0 "\n"} END {printf "%s", stage}' "$dockerfile")"
from="$(head -n 1 <<<"$runtime")"
grep -qE '^FROM (gcr\.io/distroless/static|scratch)' <<<"$from" ||
	fail "the runtime stage is not distroless/static or scratch: $from"
grep -qE "^COPY --from=build $out_path /forum$" <<<"$runtime" ||
	fail "the runtime stage does not copy $out_path to /forum"
user="$(grep -E '^USER ' <<<"$runtime" | tail -n 1 | awk '{print $2}')"
[[ -n "$user" ]] || fail "the runtime stage sets no USER (it would run as root)"
case "${user%%:*}" in
root | 0) fail "the runtime stage runs as root (USER $user)" ;;
esac
echo "user: $user"
grep -qE '^ENTRYPOINT \["/forum"\]$' <<<"$runtime" || fail 'ENTRYPOINT is not ["/forum"]'

# HEALTHCHECK in exec form (the image has no shell), and the binary knows the command:
# with nothing listening it must fail as a health check, not as an unknown command.
hc="$(grep -A3 -E '^HEALTHCHECK ' <<<"$runtime" | tr -d '\\\n\t')" || true
[[ "$hc" == *'CMD ["/forum", "healthcheck"]'* ]] || fail "no HEALTHCHECK running /forum healthcheck: $hc"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 9)"
if msg="$(FORUM_ADDR="0.0.0.0:$port" "$bin" healthcheck 2>&1)"; then
	fail "forum healthcheck succeeded with nothing listening on $port"
fi
[[ "$msg" == *"healthcheck:"* ]] || fail "forum healthcheck did not run as a health check: $msg"
echo "healthcheck: present (with nothing listening: $msg)"

# The build context leaves out what must not reach the image or slow the build.
for pattern in .data .git bin; do
	grep -qxF "$pattern" "$root/.dockerignore" || fail ".dockerignore does not leave out $pattern"
done
echo "dockerfile-check: ok"

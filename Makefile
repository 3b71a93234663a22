# Makefile for the forum. Run make from the repository root.
#
#   make run      build and run the development server against a local
#                 PostgreSQL in .data/pg (started on demand, left running)
#   make build    build bin/forum
#   make test     vet and test everything against a throwaway PostgreSQL
#   make bench    run the benchmarks against a throwaway PostgreSQL
#   make soak     two instances under load while PostgreSQL is restarted and
#                 killed (two minutes of load plus set-up; not in make test)
#   make fuzz     fuzz the write path and the renderer, FUZZTIME each
#                 (default 60s; e.g. FUZZTIME=10m make fuzz)
#   make vet      go vet
#   make fmt      gofmt all Go code
#   make db-stop  stop the development PostgreSQL in .data/pg
#   make clean    remove build output (keeps the development database)
#
# Set DATABASE_URL to use an existing PostgreSQL server instead of the
# local clusters. FORUM_SESSION_KEY, FORUM_BASE_URL and FORUM_ADDR are
# passed through to the server when set.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

# Address the development server listens on.
FORUM_ADDR ?= 127.0.0.1:8080
export FORUM_ADDR

DEV_BIN := .data/bin/forum

.PHONY: run build test bench soak fuzz vet fmt db-stop clean

# The development server: the database and the session key come from
# .data unless DATABASE_URL / FORUM_SESSION_KEY are set. `forum serve`
# runs in the foreground; stop it with Ctrl-C.
run:
	go mod download
	go build -o $(DEV_BIN) ./cmd/forum
	@if [[ -z "$${DATABASE_URL:-}" ]]; then \
		DATABASE_URL="$$(bash scripts/dev-db.sh)"; \
	fi; \
	export DATABASE_URL; \
	if [[ -z "$${FORUM_SESSION_KEY:-}" ]]; then \
		FORUM_SESSION_KEY="$$(bash scripts/session-key.sh)"; \
	fi; \
	export FORUM_SESSION_KEY; \
	$(DEV_BIN) migrate; \
	$(DEV_BIN) seed; \
	echo "serving on http://$$FORUM_ADDR/"; \
	exec $(DEV_BIN) serve

build:
	go build -o bin/forum ./cmd/forum

test:
	bash scripts/test.sh

bench:
	bash scripts/bench.sh

soak:
	bash scripts/soak.sh

fuzz:
	bash scripts/fuzz.sh

vet:
	go vet ./...

fmt:
	go fmt ./...

db-stop:
	bash scripts/dev-db.sh stop

clean:
	rm -rf bin .data/bin
	find . \( -path ./.git -o -path ./.data \) -prune -o -name '*.test' -type f -exec rm -f -- {} +

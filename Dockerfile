# Container image for the forum server.
#
#   docker build -t forum .
#   docker run --rm -p 8080:8080 \
#     -e DATABASE_URL='postgres://user:pass@db:5432/forum?sslmode=disable' \
#     -e FORUM_SESSION_KEY="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" \
#     -e FORUM_BASE_URL=https://forum.example.com \
#     forum
#
# `serve` applies pending migrations itself before listening, under a
# PostgreSQL advisory lock, so several containers may start at once and an
# upgrade needs no separate step. Once per database, create the opening
# content and an admin with the same image and environment:
#   docker run --rm -e DATABASE_URL=... forum seed
#   echo 'a long password' | docker run --rm -i -e DATABASE_URL=... forum user add you --role admin

# --- build stage --------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src

# Module downloads get their own layer, so editing code does not refetch.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
# A static binary: the final image has no C library.
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/forum ./cmd/forum

# --- runtime stage ------------------------------------------------------
# distroless/static: CA certificates and tzdata, no shell, runs as the
# unprivileged "nonroot" user (uid 65532).
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/forum /forum

ENV FORUM_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot:nonroot

# The image has no curl or wget, so the binary checks itself:
# `forum healthcheck` GETs http://$FORUM_ADDR/healthz and exits 0 on
# success, 1 otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
	CMD ["/forum", "healthcheck"]

ENTRYPOINT ["/forum"]
CMD ["serve"]

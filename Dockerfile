# syntax=docker/dockerfile:1
# One image serving the API and the web app:
#   docker build -t tallylab .
#   docker run -p 8000:8000 -v tallylab-data:/data tallylab
# (or docker compose up; see docker-compose.yml). Checked statically in `make test`: the
# build machines have no Docker engine.

ARG RUST_VERSION=1.95

# ---- build: the server binary and the web app bundle (trunk, wasm-bindgen at the Makefile's
# pinned versions, installed by `make frontend`).
FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
RUN rustup target add wasm32-unknown-unknown
# The web tools in their own layer: rebuilt only when their pinned versions change.
COPY Makefile Cargo.lock ./
COPY frontend/Trunk.toml frontend/Trunk.toml
RUN make web-tools
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target,sharing=locked \
    make frontend \
    && cargo build --release --locked -p backend --bin tallylab \
    && mkdir -p /out \
    && cp target/release/tallylab /out/tallylab \
    && cp -r frontend/dist /out/web

# ---- runtime: the binary, the web app, CA certificates; nothing else.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 tallylab \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --shell /usr/sbin/nologin tallylab \
    && mkdir -p /data \
    && chown 10001:10001 /data
COPY --from=build /out/tallylab /usr/local/bin/tallylab
COPY --from=build /out/web /app/web
ENV DATA_DIR=/data \
    STATIC_DIR=/app/web \
    BIND_ADDRESS=0.0.0.0 \
    PORT=8000 \
    LOG_FORMAT=json
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
    CMD ["tallylab", "probe"]
CMD ["tallylab", "serve"]

# syntax=docker/dockerfile:1
# Homeward device gateway: the MQTT broker for devices (TCP, TLS) and the ingest pipeline.
# Build from the repository root:  docker build -f infra/docker/gateway.Dockerfile -t homeward-gateway .
# There is no build step: the `homeward` command runs the TypeScript sources through
# @swc-node/register, so the image holds the sources and the production dependencies.

# ── 1. dependencies: production packages only, from the lockfile ─────────────────────────────
FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
# npm 11 honours package.json's allowScripts (only the listed packages run install scripts).
RUN npm install --global npm@11.19.1
COPY . .
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ── 2. runtime: sources + node_modules, run as the unprivileged `node` user ───────────────────
FROM node:20.20.2-bookworm-slim AS runtime
# Only the gateway runs here; /metrics and /health/* come from its own small listener.
ENV NODE_ENV=production \
    HOMEWARD_SERVICES=gateway \
    HOMEWARD_MQTT_MODE=embedded \
    HOMEWARD_MQTT_HOST=0.0.0.0 \
    HOMEWARD_MQTT_PORT=1883 \
    HOMEWARD_MQTT_TLS_PORT=8883 \
    HOMEWARD_MQTT_WS_PORT=-1 \
    HOMEWARD_API_HOST=0.0.0.0 \
    HOMEWARD_METRICS_PORT=9464 \
    HOMEWARD_LOG_FORMAT=json \
    HOMEWARD_DATA_DIR=/tmp/homeward
WORKDIR /app
COPY --from=deps --chown=node:node /app /app
USER node
# 8883 MQTT over TLS for devices; 1883 plain MQTT for the cluster network only; 9464 metrics and probes.
EXPOSE 8883 1883 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "infra/docker/healthcheck.cjs"]
ENTRYPOINT ["node", "apps/cli/bin/homeward.cjs"]
CMD ["start"]

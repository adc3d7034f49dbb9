# syntax=docker/dockerfile:1
# Homeward API (and the rules workers, which run the same image with `rules-worker`).
# Build from the repository root:  docker build -f infra/docker/api.Dockerfile -t homeward-api .
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
ENV NODE_ENV=production \
    HOMEWARD_API_HOST=0.0.0.0 \
    HOMEWARD_API_PORT=3000 \
    HOMEWARD_SERVICES=api \
    HOMEWARD_LOG_FORMAT=json \
    HOMEWARD_DATA_DIR=/tmp/homeward
WORKDIR /app
COPY --from=deps --chown=node:node /app /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "infra/docker/healthcheck.cjs"]
ENTRYPOINT ["node", "apps/cli/bin/homeward.cjs"]
# Rules run in `homeward rules-worker` containers (compose service `rules`, k8s Deployment
# homeward-rules); drop --no-rules to evaluate inside the API instead.
CMD ["start", "--no-rules"]

# syntax=docker/dockerfile:1
# One image per service: docker build --build-arg SERVICE=ingestion -t cdp/ingestion .
# docker-compose.yml builds every service of infra/services.json this way.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# Manifests first so the dependency layer is reused while only sources change.
COPY package.json package-lock.json .npmrc ./
COPY contracts/package.json contracts/
COPY packages/avro/package.json packages/avro/
COPY packages/config/package.json packages/config/
COPY packages/kafka/package.json packages/kafka/
COPY packages/clickhouse/package.json packages/clickhouse/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/security/package.json packages/security/
COPY packages/testing/package.json packages/testing/
COPY services/ingestion/package.json services/ingestion/
COPY services/identity/package.json services/identity/
COPY services/profile/package.json services/profile/
COPY services/segmentation/package.json services/segmentation/
COPY services/loyalty/package.json services/loyalty/
COPY services/analytics/package.json services/analytics/
# Like scripts/ensure-deps.sh: npm ci refuses a lockfile that lacks other platforms' optional
# binaries (npm/cli#4828); npm install --no-save then installs the same locked versions.
RUN npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<name from infra/services.json>" >&2; exit 1)
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# Migrations first (idempotent), then the service replaces the shell so it receives SIGTERM.
CMD ["sh", "-c", "node services/$SERVICE/dist/main.js migrate && exec node services/$SERVICE/dist/main.js"]

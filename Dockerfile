# syntax=docker/dockerfile:1
# The code is tested on Node 20, which left upstream support on 2026-04-30;
# the image runs Node 22, the current LTS.
ARG NODE_IMAGE=node:22-bookworm-slim

# Production dependencies only (esbuild stays among them: `npm start` compiles the sources with it).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The compiled build: the image runs plain JavaScript, without tsx's module loader in the way
# of every import (most of a restart's time on the embedded database).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY src ./src
COPY adapters ./adapters
COPY migrations ./migrations
RUN npm run build

FROM ${NODE_IMAGE}
# Memory (docs/operations.md#memory): V8 collects before its heap grows past about 1.4x what is
# live (its default, with a 4 GB limit, is 4x), a young generation of 1 MB semi-spaces, and glibc
# keeps one malloc arena instead of eight per core and gives freed memory back to the system
# (a fixed trim threshold). NODE_OPTIONS can be overridden at `docker run -e`.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=1" \
    MALLOC_ARENA_MAX=1 \
    MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
COPY bin ./bin
COPY calendars ./calendars
# The embedded database (when DATABASE_URL is unset) and the mail outbox live here;
# mount a volume on it to keep them (compose.yaml does).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# Readiness, not liveness: 503 until start-up is done and while the database is unreachable.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node directly, not `npm start`/npx: SIGTERM from `docker stop` reaches the service itself.
CMD ["node", "dist/src/cli.js", "serve"]

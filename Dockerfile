# syntax=docker/dockerfile:1
# The code is tested on Node 20, which left upstream support on 2026-04-30;
# the image runs Node 22, the current LTS.
ARG NODE_IMAGE=node:22-bookworm-slim

# Production dependencies only. tsx is one of them: the service runs its TypeScript
# sources directly (`npm start` does the same), so there is no build step to keep apart.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY migrations ./migrations
COPY calendars ./calendars
# The embedded database (when DATABASE_URL is unset) and the mail outbox live here;
# mount a volume on it to keep them (compose.yaml does).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node directly, not `npm start`/npx: SIGTERM from `docker stop` reaches the service itself.
CMD ["node", "--import", "tsx", "src/cli.ts", "serve"]

# Shirase in a container: Node 24 LTS (slim), production dependencies only,
# run as the unprivileged `node` user, everything it writes under /data.
# The build steps are the ones CI runs on every change (.ci/production):
# npm ci --omit=dev, npm run build, node dist/shirase/start.mjs.
#   docker build -t shirase .
#   docker run -p 4321:4321 -v shirase-data:/data -e SITE_URL=https://status.example.com shirase
# With nginx in front: compose.yaml.

FROM node:24-bookworm-slim AS build
WORKDIR /opt/shirase
# better-sqlite3 is a native module: built here if no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4321 \
    DATABASE_PATH=/data/shirase.db \
    MAIL_DIR=/data/mail \
    POSTMORTEMS_DIR=/data/postmortems \
    MALLOC_ARENA_MAX=2
WORKDIR /opt/shirase
COPY --from=build /opt/shirase /opt/shirase
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
USER node
VOLUME /data
EXPOSE 4321
# /healthz answers while the server does; /readyz (for an orchestrator's readiness probe) says whether it can do its job.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4321) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM closes the server cleanly; node runs as PID 1 and handles it itself.
STOPSIGNAL SIGTERM
CMD ["node", "dist/shirase/start.mjs"]

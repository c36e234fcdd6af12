# Node.js 24 (LTS). The code also runs on Node 20.12+ (package.json engines) for hosts that have it.
# Build stage: compile TypeScript to dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
RUN npm run build

# Runtime stage: production dependencies and the compiled code only, as a non-root user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
# Listen on every interface of the container; who reaches it is decided by publishing the port
# (docker-compose.yml publishes it on the host's 127.0.0.1 unless BRIDGE_PUBLISH_ADDR says otherwise).
ENV HTTP_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Liveness only (/livez): the container turns unhealthy when the process stops answering, not when
# a platform or Redis is down (a restart cures neither; /readyz and /healthz report those).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 3000) + '/livez').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM reaches node directly (exec form), so the bridge shuts down gracefully on `docker stop`.
CMD ["node", "dist/src/main.js"]

# fidelity-exporter image: build the TypeScript in one stage, run dist/ with production
# dependencies only, as a non-root user. Build from the repository root:
#   docker build -t fidelity-exporter .
#   docker run -p 9847:9847 fidelity-exporter demo
# The newest Node.js LTS line; any supported line works (scripts/node-lines.mjs lists them):
#   docker build --build-arg NODE_IMAGE=node:22-slim .
ARG NODE_IMAGE=node:26-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# The node image's unprivileged user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 9847
# Liveness only; /-/healthy is open even with basic auth. Set FIDELITY_HEALTHCHECK_URL for another
# port or https (the certificate is not verified: this checks that the process answers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const u=process.env.FIDELITY_HEALTHCHECK_URL||'http://127.0.0.1:9847/-/healthy';require(u.startsWith('https:')?'https':'http').get(u,{rejectUnauthorized:false,timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('timeout',()=>process.exit(1)).on('error',()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--config.file=/etc/fidelity/config.yml"]

# syntax=docker/dockerfile:1
# Stratus, compiled: no TypeScript loader at run time, a non-root user, a read-only root filesystem.
#   docker build -t stratus:0.1.0 .
#   docker run --rm stratus:0.1.0 --help
# In a cluster: deploy/ (docs/DEPLOY.md). Pin the base image by digest in your own build
# (node:20.20.2-bookworm-slim@sha256:...) when your registry policy asks for it.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- deps: production node_modules. better-sqlite3 is native: compile it here, where the
# compilers are, so the runtime stage has none.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# The compiled CLI runs on plain node (test/cli/build.test.ts proves it with tsx absent); tsx is
# still listed in "dependencies" for bin/stratus.js's development fallback, so drop it here.
RUN npm ci --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/tsx node_modules/.bin/tsx \
 && npm cache clean --force

# --- build: every dependency (TypeScript included) and `npm run build` -> dist/.
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin/ bin/
COPY src/ src/
COPY agents/ agents/
COPY sandbox/ sandbox/
COPY evals/ evals/
COPY playbooks/ playbooks/
RUN npm run build

# --- runtime: node, production node_modules, dist. Nothing else of the source tree.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# package.json says "type": "module": dist's .js files are ES modules.
COPY package.json ./
COPY --from=build /app/dist ./dist
# The ledger (SQLite, its MAC key, head anchor, graph checkpoints) lives on a volume; the rest of
# the filesystem can be mounted read-only. 65532: a numeric non-root user Kubernetes can verify
# (runAsNonRoot) without a passwd entry.
RUN mkdir -p /var/lib/stratus && chown 65532:65532 /var/lib/stratus && chmod 0700 /var/lib/stratus
VOLUME ["/var/lib/stratus"]
USER 65532:65532
EXPOSE 8080 9464
# Docker's own health check; in Kubernetes the StatefulSet's liveness (/healthz) and readiness
# (/readyz) probes do this job (Kubernetes ignores HEALTHCHECK).
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A young generation of 2 MB semi-spaces instead of V8's default 16: the watchdog's allocations are
# small and short-lived, and this keeps ~40 MB less resident at 5,000 pods for under a point of idle
# CPU (`npm run bench -- watchdog` runs the process with these flags; docs/BENCHMARKS.md).
ENTRYPOINT ["node", "--max-semi-space-size=2", "dist/src/cli/main.js"]
CMD ["watch", "--listen=0.0.0.0:8080", "--metrics-listen=0.0.0.0:9464", "--ledger=/var/lib/stratus/ledger.db"]

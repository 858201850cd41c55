# syntax=docker/dockerfile:1
# The cdk8s-mcs runner image, the one SyncRunner's Deployment runs by default:
#   docker build -t cdk8s-mcs:0.1.0 .        (the tag is package.json's version)
# then tag and push it to your registry and set SyncRunner's `image` (README, "Deploying it").
#
# build:   npm ci, compile, and pack the package exactly as npm would publish it;
# install: that tarball with production dependencies only, into an empty folder;
# final:   Node.js plus that folder; a numeric non-root user (so runAsNonRoot can verify it), no
#          shell step at run time, nothing written to the root filesystem (readOnlyRootFilesystem).
# test/e2e/runner-package.test.ts runs these same steps without a container engine.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# no install scripts: the build is tsc only, and a dev dependency's native rebuild would need a compiler
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json README.md ./
COPY bin ./bin
COPY crds ./crds
COPY imports ./imports
COPY lib ./lib
RUN npm run build && mkdir -p /pkg && npm pack --ignore-scripts --pack-destination /pkg

FROM ${NODE_IMAGE} AS install
WORKDIR /opt/cdk8s-mcs
COPY --from=build /pkg/ /pkg/
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund --no-package-lock /pkg/cdk8s-mcs-*.tgz \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /opt/cdk8s-mcs
COPY --from=install /opt/cdk8s-mcs/node_modules ./node_modules
USER 65532:65532
EXPOSE 8080
# --max-semi-space-size=2 (MiB): V8's young generation kept small. The runner's data is long-lived
# caches and its garbage short-lived JSON, so a big nursery only holds garbage longer: at 1,000
# services x 10 pods the runner peaked at 138 MiB with it and 158 MiB without (npm run bench --
# scale, BENCHMARKS.md). It can only be set when node starts, hence here and not in code.
ENTRYPOINT ["node", "--max-semi-space-size=2", "/opt/cdk8s-mcs/node_modules/cdk8s-mcs/bin/cdk8s-mcs"]

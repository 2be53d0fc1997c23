# The image `repro build` makes for this repository. repro fills the placeholders in double braces from
# research.yaml and research.lock; edit the rest freely. The build context repro sends has these folders:
#   node/       node.tgz (the official Node.js binary) and npm.tgz, both pinned by sha256 in research.lock
#   npm-cache/  every package the npm lockfile installs, so `npm ci` runs offline
#   deps/       package.json and the npm lockfile
#   data/, code/, notebooks/   the repository's data files, code and notebooks, at their repository paths
# Layers go from least to most often changed: editing a notebook rebuilds only the last few.

# Node.js and npm from the pinned tarballs (not whatever Debian happens to ship).
FROM debian:bookworm AS node
COPY node/ /tmp/node/
RUN mkdir -p /opt/node/bin /opt/node/lib/node_modules/npm \
 && tar -xzf /tmp/node/node.tgz -C /opt/node --strip-components=1 package/bin/node \
 && tar -xzf /tmp/node/npm.tgz -C /opt/node/lib/node_modules/npm --strip-components=1 \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /opt/node/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /opt/node/bin/npx

# The project's npm dependencies, exactly as the lockfile says, with no network.
FROM debian:bookworm AS deps
COPY --from=node /opt/node/ /usr/local/
COPY npm-cache/ /tmp/npm-cache/
COPY deps/ /project/
WORKDIR /project
RUN npm ci --offline --omit=dev --ignore-scripts --no-audit --no-fund --cache /tmp/npm-cache --userconfig /tmp/npm-cache/npmrc

# The image: pinned Debian packages, Node.js, the tslab kernel, a non-root user, then the project.
FROM debian:bookworm
ENV SOURCE_DATE_EPOCH=1795564800 LANG=C.UTF-8 TZ=UTC DEBIAN_FRONTEND=noninteractive
RUN packages="" \
 && if [ -n "$packages" ]; then \
      apt-get -o Acquire::Languages=none update \
      && apt-get install -y --no-install-recommends $packages \
      && apt-get clean \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=node /opt/node/ /usr/local/
RUN useradd --uid 1000 --user-group --no-create-home --home-dir /tmp/home --shell /bin/bash repro \
 && mkdir -p /usr/local/share/jupyter/kernels/tslab \
 && echo '{"argv": ["/project/node_modules/.bin/tslab", "kernel", "--config-path", "{connection_file}"], "display_name": "TypeScript", "language": "typescript"}' \
    > /usr/local/share/jupyter/kernels/tslab/kernel.json \
 && ln -s /project/node_modules/repro/bin/repro.js /usr/local/bin/repro
COPY --from=deps /project/ /project/
COPY data/ /project/
COPY code/ /project/
COPY notebooks/ /project/
WORKDIR /project
# The root file system is read-only when repro runs the image: everything writable lives under /tmp.
USER repro
ENV HOME=/tmp/home PATH=/project/node_modules/.bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL org.repro.name=minimal org.repro.manifest-hash=2222222222222222222222222222222222222222222222222222222222222222 org.repro.lock-hash=24183e1228fc78ab3f4b69d9239a42ebe68bf79b626633a831cec86db0289021 org.repro.toolkit-version=0.1.0
# `docker run IMAGE` re-runs every entrypoint.
CMD ["repro", "run", "--engine", "local"]

# The image `repro build` makes for a repository. repro fills the placeholders in double braces from
# research.yaml and research.lock; edit the rest freely. The build context repro sends has these folders:
#   node/       node.tgz (the official Node.js binary) and npm.tgz, both pinned by sha256 in research.lock
#   toolkit/    app/: repro itself (its bundled CLI, bin/repro, and the package-lock.json of its run-time
#               dependencies: the tslab kernel, ZeroMQ, resvg); npm-cache/: those dependencies, for an offline `npm ci`
#   kernels/    the kernelspecs of the build packs: tslab and jslab always, python3 and ir when research.yaml asks
#   npm-cache/, deps/   the project's own npm dependencies (package.json and its lockfile), when it has any
#   tools/      prune.cjs: trims node_modules after `npm ci` (source maps, other platforms' native builds, duplicates)
#   apt/        empty, so the pinned Debian packages come from the base's sources (Debian's mirror); in a build from
#               a pack (`repro build --from-pack`), the packed .deb files as a mirror and an apt.conf naming it
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

# repro itself, whatever the project depends on: the bundled CLI and its run-time dependencies, with no network.
FROM debian:bookworm AS toolkit
COPY --from=node /opt/node/ /usr/local/
COPY toolkit/npm-cache/ /tmp/npm-cache/
COPY toolkit/app/ /opt/repro/
COPY tools/ /tmp/tools/
WORKDIR /opt/repro
# tslab type-checks every cell against Node's types, looked up in its own node_modules/@types (npm hoists them).
RUN npm ci --offline --omit=dev --ignore-scripts --no-audit --no-fund --cache /tmp/npm-cache --userconfig /tmp/npm-cache/npmrc \
 && node /tmp/tools/prune.cjs node_modules \
 && mkdir -p node_modules/tslab/node_modules && ln -s ../../@types node_modules/tslab/node_modules/@types

# The project's own npm dependencies, exactly as its lockfile says, with no network (none without a lockfile).
# A package repro's own node_modules holds byte for byte (tslab, ZeroMQ…) becomes a link to that copy. A lockfile in a
# subfolder (notebooks/package-lock.json) gets its node_modules at /project/node_modules, still on every notebook's
# module path, so that `repro lab`, which mounts the repository's folders over /project's, never hides them.
FROM debian:bookworm AS deps
COPY --from=node /opt/node/ /usr/local/
COPY --from=toolkit /opt/repro/node_modules/ /opt/repro/node_modules/
COPY npm-cache/ /tmp/npm-cache/
COPY tools/ /tmp/tools/
COPY deps/ /project/
WORKDIR /project
RUN if [ -f package-lock.json ] || [ -f npm-shrinkwrap.json ]; then \
      npm ci --offline --omit=dev --ignore-scripts --no-audit --no-fund --cache /tmp/npm-cache --userconfig /tmp/npm-cache/npmrc \
      && node /tmp/tools/prune.cjs node_modules --link-from /opt/repro/node_modules \
      && if [ "$PWD" != /project ]; then mv node_modules /project/node_modules; fi; \
    fi

# The base and the build packs' pinned Debian packages (python3 + ipykernel, R + IRkernel, the project's own),
# without what no kernel reads: Debian's documentation (but its copyright files), manual pages and translations,
# gone now and never installed later (dpkg path-exclude); then flattened into one layer, because deleting files in
# a layer of its own would not make the image any smaller (and the packed .deb files of a build from a pack leave
# no trace).
FROM debian:bookworm AS slim-base
ENV SOURCE_DATE_EPOCH=1795564800 LANG=C.UTF-8 TZ=UTC DEBIAN_FRONTEND=noninteractive
COPY apt/ /tmp/apt/
RUN printf '%s\n' 'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright' 'path-exclude=/usr/share/man/*' \
      'path-exclude=/usr/share/info/*' 'path-exclude=/usr/share/locale/*' 'path-include=/usr/share/locale/locale.alias' \
      'path-exclude=/usr/share/lintian/*' > /etc/dpkg/dpkg.cfg.d/repro-slim \
 && find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete \
 && find /usr/share/doc -mindepth 1 -type d -empty -delete \
 && find /usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + \
 && packages="fonts-dejavu-core=2.37-6" \
 && if [ -n "$packages" ]; then \
      if [ -f /tmp/apt/apt.conf ]; then export APT_CONFIG=/tmp/apt/apt.conf; fi \
      && apt-get -o Acquire::Languages=none update \
      && apt-get install -y --no-install-recommends $packages \
      && apt-get clean; \
    fi \
 && rm -rf /tmp/apt /usr/share/man/* /usr/share/info/* /usr/share/lintian/* /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old
FROM scratch AS slim
COPY --from=slim-base / /

# The image: Node.js (its binary: npm stays in the build stages), repro and the kernelspecs, a non-root user, then
# the project.
FROM slim
ENV SOURCE_DATE_EPOCH=1795564800 LANG=C.UTF-8 TZ=UTC DEBIAN_FRONTEND=noninteractive
COPY --from=node /opt/node/bin/node /usr/local/bin/node
COPY --from=toolkit /opt/repro/ /opt/repro/
COPY kernels/ /usr/local/share/jupyter/kernels/
# /node_modules is on every notebook folder's module path: `import { importTs } from 'repro/notebook'` works anywhere.
RUN useradd --uid 1000 --user-group --no-create-home --home-dir /tmp/home --shell /bin/bash repro \
 && ln -s /opt/repro/bin/repro /usr/local/bin/repro \
 && mkdir -p /node_modules && ln -s /opt/repro/notebook-package /node_modules/repro
COPY --from=deps /project/ /project/
COPY data/ /project/
COPY code/ /project/
COPY notebooks/ /project/
WORKDIR /project
# The root file system is read-only when repro runs the image: everything writable lives under /tmp.
USER repro
ENV HOME=/tmp/home MPLCONFIGDIR=/tmp/home/.config/matplotlib PATH=/project/node_modules/.bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL org.repro.name=repro-analyses org.repro.manifest-hash=1111111111111111111111111111111111111111111111111111111111111111 org.repro.lock-hash=8da6f413757465efc7bb5e2d79b55aec900a39cfc89939785ffdf93e88c65e93 org.repro.toolkit-version=0.1.0
# `docker run IMAGE` re-runs every entrypoint.
CMD ["repro", "run", "--engine", "local"]

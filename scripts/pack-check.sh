#!/usr/bin/env bash
# This repository as a reviewer meets it years later: `repro pack`, then in a network namespace with no network at
# all (unshare -n), an empty repro cache and no data mirror, `repro verify --pack` on Docker and on rootless podman
# (as the user scripts/podman-user.sh makes), and `repro build --from-pack` with the image removed, which must give
# the pack's tag. Run as root after `npm ci` (CI runs it after the main job). Prints the times; exit 0 only when all
# three pass. REPRO_PACK_CHECK_DIR keeps the pack and logs (default: a temporary folder, removed).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
user="${REPRO_PODMAN_USER:-reprotest}"
say() { printf 'pack-check: %s\n' "$*"; }
fail() { say "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root (unshare -n, and the podman user's commands)"
uid="$(id -u "$user" 2>/dev/null)" || fail "no user $user: run scripts/podman-user.sh first"
gid="$(id -g "$user")"

work="${REPRO_PACK_CHECK_DIR:-$(mktemp -d /tmp/repro-pack-check-XXXXXX)}"
mkdir -p "$work"
[ -n "${REPRO_PACK_CHECK_DIR:-}" ] || trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
pack="$work/analyses.repro.tar"
repro() { node "$repo/bin/repro.js" "$@"; }
seconds() { local start="$1"; echo $((SECONDS - start)); }

# 1. The pack: the image built on Docker (a no-op when it exists), then one archive.
start=$SECONDS
repro build -q >/dev/null
repro pack --out "$pack" --json >"$work/pack.json"
tag="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).image.tag)' "$work/pack.json")"
say "packed $tag: $(du -m "$pack" | cut -f1) MB in $(seconds "$start") s"
chmod 644 "$pack"

# 2. Offline, on Docker: nothing but the pack (an empty cache, no mirror, only a loopback interface).
offline() { env -u REPRO_DATA_MIRROR REPRO_CACHE="$1/cache" TMPDIR="$1" "${@:2}"; }
mkdir -p "$work/docker"
start=$SECONDS
(cd "$work/docker" && offline "$work/docker" unshare -n node "$repo/bin/repro.js" verify --pack "$pack" --engine docker) \
  >"$work/docker.log" 2>&1 || { tail -n 40 "$work/docker.log" >&2; fail "verify --pack on Docker failed (log above)"; }
say "verify --pack on Docker, offline: $(grep -o 'verify: OK[^.]*' "$work/docker.log" | head -n 1) in $(seconds "$start") s"

# 3. Offline, on rootless podman, as its user: the pack loaded into the user's podman.
mkdir -p "$work/podman"
chown "$uid:$gid" "$work/podman"
start=$SECONDS
(cd "$work/podman" && unshare -n setpriv --reuid="$uid" --regid="$gid" --init-groups \
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="/home/$user" XDG_RUNTIME_DIR="/run/user/$uid" LANG=C.UTF-8 \
  REPRO_CACHE="$work/podman/cache" TMPDIR="$work/podman" DOCKER_HOST=unix:///nonexistent/docker.sock \
  "$(command -v node)" "$repo/bin/repro.js" verify --pack "$pack" --engine podman) \
  >"$work/podman.log" 2>&1 || { tail -n 40 "$work/podman.log" >&2; fail "verify --pack on podman failed (log above)"; }
say "verify --pack on rootless podman, offline: $(grep -o 'verify: OK[^.]*' "$work/podman.log" | head -n 1) in $(seconds "$start") s"

# 4. The image again from the pack's inputs alone: the tag removed first, built offline, the same tag.
mkdir -p "$work/rebuild"
docker rmi "$tag" >/dev/null
start=$SECONDS
(cd "$work/rebuild" && offline "$work/rebuild" unshare -n node "$repo/bin/repro.js" build --from-pack "$pack" --json --engine docker) \
  >"$work/rebuild.json" 2>"$work/rebuild.log" || { tail -n 40 "$work/rebuild.log" >&2; fail "build --from-pack failed (log above)"; }
rebuilt="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).tag)' "$work/rebuild.json")"
[ "$rebuilt" = "$tag" ] || fail "build --from-pack gave $rebuilt, the pack's image is $tag"
say "build --from-pack, offline: $rebuilt, the pack's tag, in $(seconds "$start") s"

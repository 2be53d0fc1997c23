#!/usr/bin/env bash
# Rootless podman for repro's tests: a normal user (default `reprotest`, or $1) with subordinate uid/gid ranges, a
# runtime folder /run/user/UID (what logind would make; there is no systemd here), and podman's Docker-compatible
# API served as that user on /run/user/UID/podman/podman.sock. Podman as root is not what users run and fails in
# containers on rlimits; rootless is the case that matters. Idempotent: what exists or answers is left as it is and
# said so. Prints the socket's address last, as `CONTAINER_HOST=unix://…`.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
say() { echo "podman-user: $*" >&2; }

user="${1:-${REPRO_PODMAN_USER:-reprotest}}"

# 1. Packages: podman, newuidmap/newgidmap (uidmap) for the user's namespace, slirp4netns for its network; curl and
# pgrep for this script.
if command -v podman >/dev/null && command -v newuidmap >/dev/null && command -v slirp4netns >/dev/null && command -v curl >/dev/null && command -v pgrep >/dev/null; then
  say "packages present ($(podman --version))"
else
  say "installing podman, uidmap, slirp4netns, curl and procps from Debian"
  as_root apt-get install -y -q --no-install-recommends podman uidmap slirp4netns curl procps >/dev/null
  say "installed $(podman --version)"
fi

# 2. The user, with 65536 subordinate uids and gids of its own (container uids 1…65536 map into them).
if id -u "$user" >/dev/null 2>&1; then
  say "user $user exists (uid $(id -u "$user"))"
else
  as_root useradd --create-home --shell /bin/bash "$user"
  say "created user $user (uid $(id -u "$user"))"
fi
uid="$(id -u "$user")"
gid="$(id -g "$user")"
for kind in uid gid; do
  if grep -q "^$user:" "/etc/sub$kind"; then
    say "/etc/sub$kind has a range for $user"
  else
    # The first free block of 65536 above every range already given out (and above 100000, as useradd does).
    start="$(awk -F: 'BEGIN { s = 100000 } { e = $2 + $3; if (e > s) s = e } END { print s }' "/etc/sub$kind")"
    as_root usermod "--add-sub${kind}s" "$start-$((start + 65535))" "$user"
    say "gave $user sub${kind}s $start-$((start + 65535))"
  fi
done

# 3. Devices a rootless container's network needs (slirp4netns opens /dev/net/tun as the user). udev makes it
# 0666 on a Debian host; a machine with static device nodes may leave it root's alone.
if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
  as_root chmod 0666 /dev/net/tun
  say "made /dev/net/tun usable by every user (0666, as udev does)"
fi

# 3b. The runtime folder logind would make at login (XDG_RUNTIME_DIR): podman keeps its socket and state there.
runtime="/run/user/$uid"
as_root mkdir -p "$runtime"
as_root chown "$uid:$gid" "$runtime"
as_root chmod 0700 "$runtime"

home="$(getent passwd "$user" | cut -d: -f6)"
socket="$runtime/podman/podman.sock"
pidfile="$runtime/podman-service.pid"
as_user() { as_root setpriv --reuid="$uid" --regid="$gid" --init-groups env -i HOME="$home" USER="$user" LOGNAME="$user" PATH=/usr/local/bin:/usr/bin:/bin XDG_RUNTIME_DIR="$runtime" "$@"; }
answers() { as_root curl -fsS --max-time 5 --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; }

# 4. Storage: the kernel's own overlay file system when it allows it unprivileged (Linux 5.13+). Without a
# storage.conf Debian's podman 4.3 falls back to vfs, which copies the whole tree for every layer: a repro image
# of ten layers then takes gigabytes and minutes. Written once; a user's own storage.conf is left alone.
conf="$home/.config/containers/storage.conf"
if as_root test -e "$conf"; then
  say "$conf present"
elif [ "$(as_user podman images -q 2>/dev/null | wc -l)" -gt 0 ]; then
  # Switching drivers empties the store: never for a user who already keeps images in it.
  say "$user's podman already holds images: its storage driver is left as it is"
elif as_user podman --storage-driver overlay --root "$home/.cache/repro-overlay-probe" info >/dev/null 2>&1; then
  as_root rm -rf "$home/.cache/repro-overlay-probe"
  # A store made with another driver cannot be read with this one: start the (empty) store afresh, service stopped.
  if [ -s "$pidfile" ] && as_root kill "$(as_root cat "$pidfile")" 2>/dev/null; then sleep 1; fi
  as_user podman system reset --force >/dev/null 2>&1 || true
  as_user sh -c "mkdir -p '$home/.config/containers' && printf '%s\n' '[storage]' 'driver = \"overlay\"' >'$conf'"
  say "wrote $conf (driver overlay)"
else
  as_root rm -rf "$home/.cache/repro-overlay-probe"
  say "the kernel's overlay is not available to $user: podman keeps its default driver (slow: vfs)"
fi

# 5. podman's API as the user, kept running (--time=0) and detached from this shell.
if answers; then
  say "podman API already answers on $socket"
else
  # A changed subuid range only takes effect once podman has re-read it.
  as_user podman system migrate >/dev/null 2>&1 || true
  # From /: the service (and every conmon it starts) keeps its working folder for as long as it runs; a folder
  # removed under it makes each container fail to attach ("Failed to get working directory").
  log="$runtime/podman-service.log"
  as_user sh -c "cd / && mkdir -p '$runtime/podman' && nohup setsid podman system service --time=0 'unix://$socket' >'$log' 2>&1 </dev/null &"
  deadline=$((SECONDS + 30))
  until answers; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "the podman API did not answer on $socket within 30 s; its log:"
      as_root tail -n 40 "$log" >&2 || true
      exit 3
    fi
    sleep 0.5
  done
  # podman re-executes itself inside the user's namespace: the pid to keep is the one serving, found by its exact command line.
  as_root pgrep -u "$uid" -x -f "podman system service --time=0 unix://$socket" | head -n 1 | as_root tee "$pidfile" >/dev/null
  say "started podman system service as $user on $socket (pid $(as_root cat "$pidfile"))"
fi
echo "CONTAINER_HOST=unix://$socket"

#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, from Debian's packages: munge, slurmctld and slurmd, all as root,
# with cgroup-less process tracking (works in a container) and no accounting database (jobcomp/filetxt records
# each finished job: id, array task, exit code, node). Idempotent: what is installed, configured or running is
# left as it is and said so. `repro sweep NAME --on slurm` and test/cluster/ use it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
say() { echo "slurm: $*"; }

conf_dir=/etc/slurm
conf="$conf_dir/slurm.conf"
log_dir=/var/log/slurm
jobcomp="$log_dir/jobcomp.log"
state_dir=/var/spool/slurmctld
spool_dir=/var/spool/slurmd
ctld_pid=/run/slurmctld.pid
slurmd_pid=/run/slurmd.pid

running() { [ -f "$1" ] && as_root kill -0 "$(cat "$1")" 2>/dev/null; }

# 1. Packages.
if command -v sbatch >/dev/null && command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null; then
  say "packages present ($(slurmd -V))"
else
  say "installing slurm-wlm and munge from Debian"
  as_root apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null
  say "installed $(slurmd -V)"
fi

# 2. Munge: a key, then the daemon (Slurm authenticates every message through it).
if [ ! -s /etc/munge/munge.key ]; then
  as_root mungekey --create --force >/dev/null
  say "created /etc/munge/munge.key"
fi
as_root mkdir -p /run/munge /var/log/munge /var/lib/munge
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "munged already running"
else
  # The packages give the key and folders to the munge user; this one-node cluster runs every daemon as root.
  as_root chown -R root:root /etc/munge /run/munge /var/log/munge /var/lib/munge
  as_root chmod 0700 /etc/munge && as_root chmod 0400 /etc/munge/munge.key
  as_root munged --force
  say "started munged"
fi

# 3. slurm.conf: this host, its real CPUs and memory (as slurmd -C reports them), one partition.
host="$(hostname -s)"
node_line="$(slurmd -C | head -n 1)"
as_root mkdir -p "$conf_dir" "$log_dir" "$state_dir" "$spool_dir"
wanted="$(cat <<EOF
# Written by scripts/slurm-cluster.sh: a single-node cluster for repro's sweeps. Re-run the script after editing.
ClusterName=repro
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state_dir
SlurmdSpoolDir=$spool_dir
SlurmctldPidFile=$ctld_pid
SlurmdPidFile=$slurmd_pid
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
# No cgroups in a container: track processes by their parent links, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# No slurmdbd: one line per finished job (id, array task, exit code, node, times) in a text file.
JobCompType=jobcomp/filetxt
JobCompLoc=$jobcomp
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
ReturnToService=2
KillWait=5
MinJobAge=600
$node_line State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
)"
changed=0
if [ -f "$conf" ] && [ "$(cat "$conf")" = "$wanted" ]; then
  say "$conf up to date"
else
  printf '%s\n' "$wanted" | as_root tee "$conf" >/dev/null
  changed=1
  say "wrote $conf ($node_line)"
fi
as_root touch "$jobcomp"

# 4. The daemons. A changed configuration restarts the ones already running (stopped by their own pid files).
stop() {
  local pid_file="$1" name="$2"
  if running "$pid_file"; then
    local pid; pid="$(cat "$pid_file")"
    as_root kill "$pid"
    for _ in $(seq 1 50); do as_root kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    say "stopped $name (configuration changed)"
  fi
}
if [ "$changed" -eq 1 ]; then stop "$slurmd_pid" slurmd; stop "$ctld_pid" slurmctld; fi
if running "$ctld_pid"; then say "slurmctld already running"; else as_root slurmctld; say "started slurmctld"; fi
if running "$slurmd_pid"; then say "slurmd already running"; else as_root slurmd; say "started slurmd"; fi

# 5. Ready when sinfo shows the node idle (or busy with jobs); a node left down by an earlier run is resumed.
deadline=$((SECONDS + 60))
while :; do
  state="$(sinfo -h -n "$host" -o '%t' 2>/dev/null | head -n 1 || true)"
  case "$state" in
    idle|mix|alloc|comp) break ;;
    down*|drain*|drng*|fail*) as_root scontrol update NodeName="$host" State=RESUME 2>/dev/null || true ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "slurm: node $host is not up within 60 s (state: ${state:-no answer}); the logs:" >&2
    tail -n 20 "$log_dir/slurmctld.log" "$log_dir/slurmd.log" >&2 || true
    exit 3
  fi
  sleep 0.5
done
say "node $host $state in partition main ($(sinfo -h -n "$host" -o '%c CPUs, %m MB')); finished jobs in $jobcomp"

// Where a container competes for the CPU. Docker with the cgroupfs driver puts every container in one cgroup
// (/docker), and the kernel's fair scheduler gives that whole group the share of one process against the host's
// processes: a service's two workers in a container got a third of the cores beside wrk's two threads, where the
// same two workers as host processes got half. A container asked to have the share of N processes is placed beside
// the host's processes (cgroup parent "/") with the weight of N of them: what its processes would get outside.

export interface CgroupFacts {
  /** `docker info`: cgroupfs or systemd. */
  CgroupDriver?: string;
  /** `docker info`: "1" or "2". */
  CgroupVersion?: string;
  /** `docker info`: includes "name=rootless" for a rootless engine, which cannot place or weigh cgroups. */
  SecurityOptions?: string[];
}

export interface CpuPlacement {
  CgroupParent?: string;
  CpuShares?: number;
}

/** cgroup v1's cpu.shares of one nice-0 process. */
const SHARES_PER_PROCESS = 1024;
/** cgroup v2's cpu.weight of one nice-0 process. */
const WEIGHT_PER_PROCESS = 100;
const MAX_SHARES = 262_144;

/**
 * The host-config fields that give a container the CPU share of `processes` host processes, or none where the
 * engine cannot (rootless) or needs no help (systemd driver: each container is a scope of its own among the
 * machine's services, which is where it belongs).
 */
export function cpuPlacement(facts: CgroupFacts, processes: number): CpuPlacement {
  const count = Math.max(1, Math.floor(processes));
  if (facts.SecurityOptions?.some((option) => option.includes('name=rootless'))) return {};
  if (facts.CgroupDriver !== 'cgroupfs') return {};
  return { CgroupParent: '/', CpuShares: facts.CgroupVersion === '2' ? sharesForWeight(count * WEIGHT_PER_PROCESS) : Math.min(count * SHARES_PER_PROCESS, MAX_SHARES) };
}

/**
 * On cgroup v2 the engine turns CpuShares into cpu.weight as runc does: weight = 1 + (shares - 2) × 9999 / 262142
 * (integer division). The smallest shares giving at least `weight`.
 */
export function sharesForWeight(weight: number): number {
  const shares = 2 + Math.ceil(((weight - 1) * 262_142) / 9_999);
  return Math.min(Math.max(shares, 2), MAX_SHARES);
}

/** runc's conversion, for the tests and for messages. */
export function weightOfShares(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9_999) / 262_142);
}

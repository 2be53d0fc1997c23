// Out of memory, told apart from other deaths: the kernel of a container at its memory limit is killed by the
// kernel's OOM killer with SIGKILL, and the container's memory cgroup counts it. Read from inside the container.
import { existsSync, readFileSync } from 'node:fs';

/** cgroup v2, then v1: the files where the memory controller counts OOM kills. */
const counters = ['/sys/fs/cgroup/memory.events', '/sys/fs/cgroup/memory/memory.oom_control'];

/** Docker and podman leave one of these in every container. */
export function insideContainer(): boolean {
  return existsSync('/.dockerenv') || existsSync('/run/.containerenv');
}

/**
 * How many processes the OOM killer has killed in this container, or undefined outside one (a host's counter
 * counts the whole machine) and where no counter can be read.
 */
export function oomKills(): number | undefined {
  if (!insideContainer()) return undefined;
  for (const file of counters) {
    try {
      const match = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
      if (match) return Number(match[1]);
    } catch {
      // Not this cgroup version, or not readable here.
    }
  }
  return undefined;
}

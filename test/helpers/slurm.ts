// Tests against a real Slurm cluster (scripts/slurm-cluster.sh starts one here): run when sinfo answers, fail in
// CI when it does not, skip elsewhere with the reason, as requireEngine() does for Docker.
import { available } from '../../src/cluster/slurm.ts';

/**
 * Resolves to true when Slurm tests should run. In CI (CI set) with no cluster it throws, so the suite fails
 * instead of passing having tested nothing.
 */
export async function requireSlurm(): Promise<boolean> {
  if (await available()) return true;
  if (process.env.CI) throw new Error('CI is set but no Slurm cluster answers (sinfo): run scripts/slurm-cluster.sh (see .ci/run).');
  console.warn('skipping Slurm tests: no Slurm cluster answers (run scripts/slurm-cluster.sh to start one)');
  return false;
}

// Outcomes of points that could not report for themselves (the container or the node died first).
import { runSpecVersion, type RunResult } from '../run/spec.ts';
import type { PointPlan } from './executor.ts';

/** A failed RunResult for a point whose run wrote none: `message` says what happened and where to look. */
export function failedResult(plan: PointPlan, message: string, extra: Partial<RunResult> = {}): RunResult {
  return {
    version: runSpecVersion,
    notebook: plan.spec.notebook,
    outputs: plan.spec.outputs,
    status: 'failed',
    ename: 'PointFailed',
    evalue: message,
    message: `${plan.spec.notebook}: point ${plan.id}: ${message}`,
    elapsedMs: 0,
    ...extra,
  };
}

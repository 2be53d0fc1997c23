// Anything without a better comparer: equal bytes or not, by sha256, with the first differing byte.
import { createHash } from 'node:crypto';
import type { Comparison } from '../types.ts';
import { identical } from './collect.ts';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function compareBinary(committed: Buffer, rerun: Buffer): Comparison {
  if (committed.equals(rerun)) return identical();
  let offset = 0;
  const shorter = Math.min(committed.length, rerun.length);
  while (offset < shorter && committed[offset] === rerun[offset]) offset++;
  const text = `sha256 ${sha256(committed).slice(0, 12)}… → ${sha256(rerun).slice(0, 12)}…`;
  const sizes = committed.length === rerun.length ? `${committed.length} bytes` : `${committed.length} → ${rerun.length} bytes`;
  return {
    verdict: 'differs',
    largest: { text, where: `byte ${offset}`, score: Infinity },
    notes: [`contents differ from byte ${offset} (${sizes})`],
    findings: [],
    findingCount: 1,
    figures: [],
  };
}

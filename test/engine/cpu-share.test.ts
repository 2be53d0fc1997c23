// Where a service container competes for the CPU: beside the host's processes with the share of its workers on a
// cgroupfs engine, untouched on a systemd or rootless one.
import { describe, expect, it } from 'vitest';
import { cpuPlacement, sharesForWeight, weightOfShares } from '../../src/engine/cpu-share.ts';

describe('cpuPlacement', () => {
  it('puts a cgroup v1 container beside the host processes with 1024 shares per worker', () => {
    expect(cpuPlacement({ CgroupDriver: 'cgroupfs', CgroupVersion: '1' }, 2)).toEqual({ CgroupParent: '/', CpuShares: 2048 });
    expect(cpuPlacement({ CgroupDriver: 'cgroupfs', CgroupVersion: '1' }, 1)).toEqual({ CgroupParent: '/', CpuShares: 1024 });
  });

  it('on cgroup v2 asks for the shares that runc turns into a weight of 100 per worker', () => {
    const placement = cpuPlacement({ CgroupDriver: 'cgroupfs', CgroupVersion: '2' }, 2);
    expect(placement).toEqual({ CgroupParent: '/', CpuShares: 5220 });
    expect(weightOfShares(placement.CpuShares ?? 0)).toBe(200);
  });

  it('leaves a systemd-driven or rootless engine alone, and counts at least one process', () => {
    expect(cpuPlacement({ CgroupDriver: 'systemd', CgroupVersion: '2' }, 2)).toEqual({});
    expect(cpuPlacement({ CgroupDriver: 'cgroupfs', CgroupVersion: '1', SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless'] }, 2)).toEqual({});
    expect(cpuPlacement({}, 2)).toEqual({});
    expect(cpuPlacement({ CgroupDriver: 'cgroupfs', CgroupVersion: '1' }, 0)).toEqual({ CgroupParent: '/', CpuShares: 1024 });
  });
});

describe('sharesForWeight', () => {
  it('is the smallest shares whose weight reaches the one asked for', () => {
    for (const weight of [1, 39, 100, 200, 800, 10_000]) {
      const shares = sharesForWeight(weight);
      expect(weightOfShares(shares)).toBeGreaterThanOrEqual(weight);
      if (shares > 2) expect(weightOfShares(shares - 1)).toBeLessThan(weight);
    }
  });
});

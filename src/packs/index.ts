// Build packs, as repo2docker's: each kernel or feature contributes its Debian packages and kernelspecs to the one
// image. The lock stage pins every package the packs ask for; the render stage writes their kernelspecs into the
// image. repro's own pack (the tslab and jslab kernels) is always there, whatever the project depends on.
import type { Environment, KernelName } from '../manifest/schema.ts';
import { jupyterPack } from './jupyter.ts';
import { pythonPack } from './python.ts';
import { rPack } from './r.ts';
import { toolkitPack } from './toolkit.ts';

/** A Jupyter kernelspec (kernels/<name>/kernel.json), as the image holds it. */
export interface KernelJson {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: 'signal' | 'message';
  env?: Record<string, string>;
}

export interface BuildPack {
  name: string;
  /** Debian packages the pack installs; research.lock pins each (and its dependencies) to an exact version. */
  apt: readonly string[];
  /** Kernelspecs the pack registers in the image, by kernel name. */
  kernels: Readonly<Partial<Record<KernelName, KernelJson>>>;
}

/** Where kernelspecs go in the image (a Jupyter data dir every kernel client searches). */
export const imageKernelsDir = '/usr/local/share/jupyter/kernels';

/** The packs an environment composes, in a fixed order: the same research.yaml always renders the same image. */
export function buildPacks(environment: Pick<Environment, 'kernels' | 'apt' | 'jupyter'>): BuildPack[] {
  const packs: BuildPack[] = [toolkitPack];
  if (environment.kernels.includes('python3')) packs.push(pythonPack);
  if (environment.kernels.includes('ir')) packs.push(rPack);
  if (environment.jupyter) packs.push(jupyterPack);
  packs.push({ name: 'project', apt: environment.apt, kernels: {} });
  return packs;
}

/** Every Debian package the packs ask for, sorted and without repeats. */
export function packPackages(packs: readonly BuildPack[]): string[] {
  return [...new Set(packs.flatMap((pack) => pack.apt))].sort();
}

/** Every kernelspec the packs register, by name. */
export function packKernels(packs: readonly BuildPack[]): Map<KernelName, KernelJson> {
  const kernels = new Map<KernelName, KernelJson>();
  for (const pack of packs) for (const [name, spec] of Object.entries(pack.kernels) as Array<[KernelName, KernelJson]>) kernels.set(name, spec);
  return kernels;
}

/** kernel.json as written into the image: fixed key order, so the same pack gives the same bytes. */
export function serializeKernelJson(spec: KernelJson): string {
  const ordered = { argv: spec.argv, display_name: spec.display_name, language: spec.language, interrupt_mode: spec.interrupt_mode, env: spec.env };
  return JSON.stringify(ordered, null, 1) + '\n';
}

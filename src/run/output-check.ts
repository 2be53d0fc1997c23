// A notebook's outputs must be regular files in real folders: a link, FIFO, socket or device it left in
// REPRO_OUTPUTS is never followed or moved into results/; that notebook's run fails, naming each one.
import { posix } from 'node:path';
import { NotebookError } from '../errors.ts';
import { describeSpecial, listTree } from '../files/special.ts';
import type { Entrypoint } from '../manifest/schema.ts';
import type { NotebookResult } from './types.ts';

/** How the refusal crosses the container boundary (the inner run's summary): its ename. */
export const specialOutputsName = 'SpecialOutputs';

type ResultBase = Pick<NotebookResult, 'notebook' | 'outputs' | 'elapsedMs'>;

/** The failed result when the staged outputs folder holds anything but regular files and folders, else undefined. */
export async function refuseSpecialOutputs(staging: string, entry: Entrypoint, base: ResultBase): Promise<NotebookResult | undefined> {
  const outputs = entry.outputs.replace(/\/+$/, '');
  const special = (await listTree(staging)).filter((file) => file.kind !== 'file');
  if (special.length === 0) return undefined;
  return refusal(base, held(special.map((file) => `${posix.join(outputs, file.path)} (${describeSpecial(file)})`)));
}

/**
 * The same on the host for what a container wrote to `hostOut` (the inner repro has checked, but the notebook's own
 * processes shared that folder): a link on the way to the outputs folder is refused too, and the inner run's
 * refusal is passed on as such.
 */
export async function refuseContainerOutputs(
  hostOut: string,
  entry: Entrypoint,
  base: ResultBase,
  inner: { status: 'ok' | 'failed'; ename?: string; evalue?: string } | undefined,
): Promise<NotebookResult | undefined> {
  if (inner?.status === 'failed') return inner.ename === specialOutputsName ? refusal(base, inner.evalue ?? '') : undefined;
  if (inner?.status !== 'ok') return undefined;
  const special = (await listTree(hostOut, entry.outputs)).filter((file) => file.kind !== 'file');
  if (special.length === 0) return undefined;
  return refusal(base, held(special.map((file) => `${file.path} (${describeSpecial(file)})`)));
}

function held(listed: string[]): string {
  return `the outputs hold ${listed.join(', ')}: links, FIFOs, sockets and devices are never followed or moved into results`;
}

function refusal(base: ResultBase, evalue: string): NotebookResult {
  return {
    ...base,
    status: 'failed',
    error: new NotebookError(`${specialOutputsName}: ${evalue}`, {
      notebook: base.notebook,
      hint: `Write regular files into REPRO_OUTPUTS (copy a file rather than link to it); nothing was moved into ${base.outputs}.`,
    }),
    ename: specialOutputsName,
    evalue,
    traceback: [],
  };
}

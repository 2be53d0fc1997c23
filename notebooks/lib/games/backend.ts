// Selects the tfjs backend once per process: wasm, one thread. A fixed thread count fixes
// XNNPACK's work partition and so the order of float additions, which is what makes two runs
// bit-identical. In Node the threaded binary is never chosen (WASM_HAS_MULTITHREAD_SUPPORT is
// false), so this pins what already happens; the SIMD binary is used when the CPU offers it,
// and the description returned says which, because the two can round differently.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

export async function useWasmBackend(): Promise<string> {
  if (tf.getBackend() !== 'wasm') {
    setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend failed to initialise');
    await tf.ready();
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = getThreadsCount();
  return `tfjs ${tf.version.tfjs} wasm${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

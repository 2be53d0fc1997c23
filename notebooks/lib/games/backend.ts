// Selects the tfjs backend once per process. wasm, pinned to one thread: a fixed thread count
// fixes XNNPACK's work partition and so the order of float additions, which is what makes two
// runs bit-identical.
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

export async function useWasmBackend(): Promise<string> {
  if (tf.getBackend() === 'wasm') return 'wasm';
  setThreadsCount(1);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('the tfjs wasm backend failed to initialise');
  await tf.ready();
  return tf.getBackend();
}

// Not a test: a stand-in for a repro process, for watchdog.test. It starts a kernel (argv[2], default tslab) in the
// given folder, has it start a detached process, prints what to watch as one JSON line, and waits to be killed.
import { dirname } from 'node:path';
import { startKernel } from '../../src/kernel/kernel.ts';
import { findKernelSpec } from '../../src/kernel/kernelspec.ts';

const name = process.argv[2] ?? 'tslab';
const kernel = await startKernel({ cwd: process.cwd(), spec: findKernelSpec(name) });
const code =
  name === 'python3'
    ? 'import subprocess\nprint(subprocess.Popen(["sleep", "300"], start_new_session=True).pid)'
    : 'import { spawn } from "child_process";\nconst child = spawn("sleep", ["300"], { detached: true, stdio: "ignore" });\nchild.unref();\nconsole.log(child.pid);';
const result = await kernel.execute(code, { timeoutMs: 30_000 });
const printed = result.outputs.map((output) => (output.output_type === 'stream' ? output.text : '')).join('');
const connectionFile = kernel.process.child.spawnargs.find((arg) => arg.endsWith('connection.json')) ?? '';
process.stdout.write(JSON.stringify({ kernel: kernel.pid, detached: Number(printed.trim()), connectionDir: dirname(connectionFile), watchdog: kernel.process.watchdog?.pid }) + '\n');
setInterval(() => undefined, 60_000);

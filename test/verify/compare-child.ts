// Run by bounded.test.ts in its own process: writes two tables of about BYTES bytes under DIR (one cell changed in
// the second), compares them as verify does, and prints the verdict and the process's peak RSS (VmHWM) as JSON.
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { compareTrees } from '../../src/verify/tree.ts';

const [dir, bytesArgument] = process.argv.slice(2);
const bytes = Number(bytesArgument);
const committed = join(dir, 'committed/results/table.csv');
const rerun = join(dir, 'rerun/results/table.csv');
mkdirSync(join(dir, 'committed/results'), { recursive: true });
mkdirSync(join(dir, 'rerun/results'), { recursive: true });
try {
  const fd = openSync(committed, 'w');
  let written = writeSync(fd, 'id,label,value,share\n');
  let middle = 0;
  for (let i = 0; written < bytes; ) {
    let chunk = '';
    for (let n = 0; n < 10_000; n++, i++) chunk += `${i},label ${i % 7},${(i * 0.37) % 1000},${(i % 97) / 97}\n`;
    if (middle === 0 && written > bytes / 2) middle = written;
    written += writeSync(fd, chunk);
  }
  closeSync(fd);
  copyFileSync(committed, rerun);
  // The first "label" after the middle is followed by a value: make its first digit another one.
  const out = openSync(rerun, 'r+');
  const buffer = Buffer.alloc(200);
  readSync(out, buffer, 0, 200, middle);
  const window = buffer.toString('latin1');
  const at = window.indexOf(',', window.indexOf('label')) + 1;
  writeSync(out, window[at] === '9' ? '8' : '9', middle + at, 'latin1');
  closeSync(out);
  const { files } = await compareTrees({ committedRoot: join(dir, 'committed'), rerunRoot: join(dir, 'rerun'), outputs: ['results'], rules: { default: { rtol: 1e-9 } } });
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  console.log(JSON.stringify({ verdict: files[0].verdict, where: files[0].largest?.where, peakMb: hwm / 1024 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

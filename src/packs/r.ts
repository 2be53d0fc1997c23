// R notebooks: Debian's r-base-core with IRkernel; the project adds its r-cran-* packages under environment.apt.
import type { BuildPack } from './index.ts';

export const rPack: BuildPack = {
  name: 'r',
  apt: ['r-base-core', 'r-cran-irkernel'],
  kernels: { ir: { argv: ['/usr/bin/R', '--slave', '-e', 'IRkernel::main()', '--args', '{connection_file}'], display_name: 'R', language: 'R' } },
};

// Python notebooks: Debian's python3 with ipykernel; the project adds its python3-* packages under environment.apt.
import type { BuildPack } from './index.ts';

export const pythonPack: BuildPack = {
  name: 'python',
  apt: ['python3', 'python3-ipykernel'],
  kernels: { python3: { argv: ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'], display_name: 'Python 3 (ipykernel)', language: 'python' } },
};

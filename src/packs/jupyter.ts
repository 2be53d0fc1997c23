// `repro lab`: Debian's Jupyter Notebook server, when environment.jupyter is true. It serves every kernel of the image.
import type { BuildPack } from './index.ts';

export const jupyterPack: BuildPack = { name: 'jupyter', apt: ['jupyter-notebook'], kernels: {} };

#!/usr/bin/env node
// The toolkit ships as TypeScript; tsx compiles it on load so that a clean clone runs with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

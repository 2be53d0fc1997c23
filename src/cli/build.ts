// PLACEHOLDER: replaced by the module that implements `repro build`.
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function register(program: Command): void {
  program
    .command('build')
    .description('(not yet implemented)')
    .action(() => {
      throw new UsageError('repro build is not implemented yet');
    });
}

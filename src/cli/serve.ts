// PLACEHOLDER: replaced by the module that implements `repro serve`.
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function register(program: Command): void {
  program
    .command('serve')
    .description('(not yet implemented)')
    .action(() => {
      throw new UsageError('repro serve is not implemented yet');
    });
}

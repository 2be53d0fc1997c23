// PLACEHOLDER: replaced by the module that implements `repro run`.
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function register(program: Command): void {
  program
    .command('run')
    .description('(not yet implemented)')
    .action(() => {
      throw new UsageError('repro run is not implemented yet');
    });
}

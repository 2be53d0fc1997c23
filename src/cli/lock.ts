// PLACEHOLDER: replaced by the module that implements `repro lock`.
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function register(program: Command): void {
  program
    .command('lock')
    .description('(not yet implemented)')
    .action(() => {
      throw new UsageError('repro lock is not implemented yet');
    });
}

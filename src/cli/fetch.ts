// PLACEHOLDER: replaced by the module that implements `repro fetch`.
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function register(program: Command): void {
  program
    .command('fetch')
    .description('(not yet implemented)')
    .action(() => {
      throw new UsageError('repro fetch is not implemented yet');
    });
}

// PLACEHOLDER: replaced by the module that implements `repro verify`.
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function register(program: Command): void {
  program
    .command('verify')
    .description('(not yet implemented)')
    .action(() => {
      throw new UsageError('repro verify is not implemented yet');
    });
}

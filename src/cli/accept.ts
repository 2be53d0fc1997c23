// PLACEHOLDER: replaced by the module that implements `repro accept`.
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function register(program: Command): void {
  program
    .command('accept')
    .description('(not yet implemented)')
    .action(() => {
      throw new UsageError('repro accept is not implemented yet');
    });
}

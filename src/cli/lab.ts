// PLACEHOLDER: replaced by the module that implements `repro lab`.
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function register(program: Command): void {
  program
    .command('lab')
    .description('(not yet implemented)')
    .action(() => {
      throw new UsageError('repro lab is not implemented yet');
    });
}

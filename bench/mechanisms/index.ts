import { HintbenchError } from '../../core/errors.ts';
import { MECHANISMS } from '../../core/schema/enums.ts';
import type { MechanismName } from '../../core/types.ts';
import type { Mechanism } from './mechanism.ts';
import { NoneMechanism } from './none.ts';
import { ProcessMadviseMechanism } from './process-madvise.ts';

/** Creates the mechanism called `name`. */
export async function createMechanism(name: MechanismName): Promise<Mechanism> {
  switch (name) {
    case 'process_madvise':
      return new ProcessMadviseMechanism();
    case 'none':
      return new NoneMechanism();
    case 'ptrace': {
      const mod = await import('./ptrace/index.ts');
      return new mod.PtraceMechanism();
    }
    default:
      throw new HintbenchError(`unknown mechanism '${String(name)}'`, `use one of: ${MECHANISMS.join(', ')}`);
  }
}

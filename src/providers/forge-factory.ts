// PLACEHOLDER: replaced by the forge work.
import type {Deps} from '../core/deps.js'
import type {Forge} from '../core/ports.js'

/** Chooses and builds the forge adapter. */
export async function createForge(_deps: Deps): Promise<Forge> {
  throw new Error('not implemented')
}

// PLACEHOLDER: replaced by the forge work.
import type {Deps} from '../core/deps.js'
import type {Forge, ForgeInfo} from '../core/ports.js'

/** Chooses and builds the forge adapter. */
export async function createForge(_deps: Deps): Promise<Forge> {
  throw new Error('not implemented')
}

/** Says which forge would be used and where its token came from. */
export async function describeForge(_deps: Deps): Promise<ForgeInfo> {
  throw new Error('not implemented')
}

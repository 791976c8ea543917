import type {LoadedConfig} from './config/load.js'
import type {Clock, Forge, ForgeInfo, Git, Ids, Prompter, RecordStore, Reporter, Shell} from './ports.js'
import type {RepoInfo} from './repo.js'
import type {StepKind} from '../engine/types.js'

/** Everything a service may need; each service asks for the slice it uses (`Pick<Deps, ...>`). */
export interface Deps {
  /** The directory flow runs in (`--cwd`, else the process's). */
  cwd: string
  env: Record<string, string | undefined>
  git: Git
  shell: Shell
  prompter: Prompter
  reporter: Reporter
  clock: Clock
  ids: Ids
  /** True when the user passed --yes. */
  yes: boolean
  repo(): Promise<RepoInfo>
  /** flow.yml, validated; throws FlowError CONFIG_NOT_FOUND / CONFIG_INVALID. */
  config(): Promise<LoadedConfig>
  forge(): Promise<Forge>
  /** Which forge would be used, without building it or touching the network. */
  forgeInfo(): Promise<ForgeInfo>
  records(): Promise<RecordStore>
  /**
   * The registered step kinds, for the engine: at least those named (a plan's kinds, so that only their modules
   * need loading), every one without names.
   */
  stepKinds(names?: readonly string[]): Promise<StepKind[]>
}

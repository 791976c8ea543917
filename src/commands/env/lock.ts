import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {setEnvironmentLock, type EnvNoteResult} from '../../core/env/lock.js'

export default class EnvLock extends FlowCommand<typeof EnvLock> {
  static override summary = 'Lock an environment: deployments to it are refused (exit 6) until it is unlocked.'
  static override examples = ['<%= config.bin %> env lock production --reason "incident INC-4"']

  static override args = {environment: Args.string({required: true, description: 'The environment.'})}
  static override flags = {reason: Flags.string({required: true, description: 'Why (recorded, shown in refusals).'}), ...dryRunFlag}

  async run(): Promise<EnvNoteResult> {
    const result = await setEnvironmentLock(await this.deps(), {environment: this.args.environment, lock: true, reason: this.flags.reason, dryRun: this.flags['dry-run']})
    this.log(result.changed ? `Locked ${result.environment}: ${result.reason}` : `${result.environment} was already locked${result.reason ? `: ${result.reason}` : ''}`)
    return result
  }
}

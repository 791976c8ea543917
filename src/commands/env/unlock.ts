import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {setEnvironmentLock, type EnvNoteResult} from '../../core/env/lock.js'

export default class EnvUnlock extends FlowCommand<typeof EnvUnlock> {
  static override summary = 'Unlock an environment locked with flow env lock.'
  static override examples = ['<%= config.bin %> env unlock production --reason "INC-4 resolved"']

  static override args = {environment: Args.string({required: true, description: 'The environment.'})}
  static override flags = {reason: Flags.string({description: 'Why (recorded).'}), ...dryRunFlag}

  async run(): Promise<EnvNoteResult> {
    const result = await setEnvironmentLock(await this.deps(), {environment: this.args.environment, lock: false, reason: this.flags.reason, dryRun: this.flags['dry-run']})
    this.log(result.changed ? `Unlocked ${result.environment}` : `${result.environment} was not locked`)
    return result
  }
}

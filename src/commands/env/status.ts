import {Args} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {showEnvironments} from '../../core/env/show.js'
import {environmentStatus, type EnvStatus} from '../../core/env/status.js'

export default class EnvStatusCommand extends FlowCommand<typeof EnvStatusCommand> {
  static override summary = 'Show an environment (or all): deployed sha and version, when and by whom, health, lock, freeze, waiting commits.'
  static override examples = ['<%= config.bin %> env status', '<%= config.bin %> env status production --json']

  static override args = {environment: Args.string({description: 'The environment (default: all).'})}

  async run(): Promise<{environments: EnvStatus[]}> {
    const result = await environmentStatus(await this.deps(), this.args.environment)
    showEnvironments(this, result.environments)
    return result
  }
}

import {FlowCommand} from '../../cli/flow-command.js'
import {showEnvironments} from '../../core/env/show.js'
import {environmentStatus, type EnvStatus} from '../../core/env/status.js'

export default class EnvList extends FlowCommand<typeof EnvList> {
  static override summary = 'List the environments: what runs where, health, lock, freeze, commits waiting to be promoted.'
  static override examples = ['<%= config.bin %> env list', '<%= config.bin %> env list --json']

  async run(): Promise<{environments: EnvStatus[]}> {
    const result = await environmentStatus(await this.deps())
    showEnvironments(this, result.environments)
    return result
  }
}

import {FlowCommand} from '../cli/flow-command.js'

export default class Status extends FlowCommand<typeof Status> {
  static override summary = 'Show the run in progress in this worktree, if any.'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json']

  async run(): Promise<{run: null}> {
    await this.deps()
    this.log('No run in progress.')
    return {run: null}
  }
}

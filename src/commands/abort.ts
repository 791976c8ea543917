import {FlowCommand} from '../cli/flow-command.js'
import {abortRun, type AbortResult} from '../engine/status.js'

export default class Abort extends FlowCommand<typeof Abort> {
  static override summary = 'Stop tracking the paused run, leaving everything as it is now.'
  static override description = 'Nothing is undone (use flow undo for that); the run is kept in the history as aborted, and new runs may start. Asks first when run in a terminal, unless --yes.'
  static override examples = ['<%= config.bin %> abort', '<%= config.bin %> abort --yes --json']

  async run(): Promise<AbortResult> {
    const result = await abortRun(await this.deps())
    this.log(`Stopped tracking flow ${result.command} at step ${result.step}/${result.total}; nothing was undone.`)
    return result
  }
}

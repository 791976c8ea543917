import {statusBody} from '../cli/command-bodies.js'
import {FlowCommand} from '../cli/flow-command.js'
import type {StatusResult} from '../engine/status.js'

export default class Status extends FlowCommand<typeof Status> {
  static override summary = 'Show the run in progress in this worktree, if any, and the last one.'
  static override description = 'Lists the steps of a paused or interrupted run with their status and error, and what you can do next (flow continue, flow undo, flow abort). Reads the journal without waiting for a run in progress.'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json']

  async run(): Promise<StatusResult> {
    return statusBody(await this.deps(), {json: this.jsonEnabled(), log: (line) => this.log(line)})
  }
}

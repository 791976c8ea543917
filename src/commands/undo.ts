import {FlowCommand} from '../cli/flow-command.js'
import {formatUndo} from '../engine/format.js'
import {undoRun, type UndoResult} from '../engine/undo.js'

export default class Undo extends FlowCommand<typeof Undo> {
  static override summary = 'Go back to where the paused or interrupted run (or else the last finished one) started.'
  static override description = 'Reverses its steps newest first: refs are put back from the journal\'s snapshots (never over a ref someone moved since), steps that cannot be undone are listed, and the starting branch is checked out again when the work tree is clean. With no paused run, the last run that finished is reversed (once). Asks first when run in a terminal, unless --yes.'
  static override examples = ['<%= config.bin %> undo', '<%= config.bin %> undo --yes --json']

  async run(): Promise<UndoResult> {
    const result = await undoRun(await this.deps())
    for (const line of formatUndo(result)) this.log(line)
    if (!result.complete) this.progress('Some steps were not undone: see above.')
    return result
  }
}

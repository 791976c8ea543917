import {FlowCommand} from '../cli/flow-command.js'
import {continueRun, type RunResult} from '../engine/runner.js'

export default class Continue extends FlowCommand<typeof Continue> {
  static override summary = 'Resume the paused or interrupted run at the step where it stopped.'
  static override description = 'Steps already done are not repeated: each step is checked first and skipped when its effect is in place. If a step fails again, the run pauses again (exit 8). A run that finishes every step but fails at what it was for (a deployment that ended rolled back) exits as the uninterrupted run would (DEPLOY_FAILED, exit 1).'
  static override examples = ['<%= config.bin %> continue', '<%= config.bin %> continue --json']

  async run(): Promise<RunResult> {
    const result = await continueRun(await this.deps())
    this.log(`Finished flow ${result.command} (${result.steps.length} step(s)).`)
    return result
  }
}

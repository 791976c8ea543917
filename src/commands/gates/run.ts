import {Args, Flags} from '@oclif/core'
import {gatesRunBody} from '../../cli/command-bodies.js'
import {FlowCommand} from '../../cli/flow-command.js'
import type {GatesRun} from '../../core/gates/run-gates.js'

export default class GatesRunCommand extends FlowCommand<typeof GatesRunCommand> {
  static override summary = 'Run the quality gates of a stage (default submit), in parallel, with the cache.'
  static override description = `Gates run as a graph: a gate starts when the gates it needs have passed, up to --concurrency at a time.
Each gate's output goes to a log under the git directory (flow/gates/GATE.log); a failed gate's last lines are shown.
A gate with inputs is skipped (cached) when its definition and the content of its input files match an earlier green run.
On a terminal (stderr a TTY, CI unset, no --json) a live block shows each gate waiting, running or done; otherwise plain lines.
Exits 5 when a required gate fails; optional gates are reported but never block.`

  static override examples = [
    '<%= config.bin %> gates run',
    '<%= config.bin %> gates run pre-push --fail-fast',
    '<%= config.bin %> gates run --only lint --only test --no-cache',
    '<%= config.bin %> gates run submit --junit reports/gates.xml --json',
  ]

  static override args = {stage: Args.string({description: 'The stage to run (default: submit).'})}

  static override flags = {
    only: Flags.string({description: 'Run exactly these gates (repeatable), not a stage.', multiple: true}),
    concurrency: Flags.integer({description: 'Most gates running at once (default: the number of cores).', min: 1}),
    'fail-fast': Flags.boolean({description: 'Stop at the first required failure: start nothing more, stop running gates.'}),
    'no-cache': Flags.boolean({description: 'Run every gate even when its inputs are unchanged.'}),
    junit: Flags.string({description: 'Write a JUnit XML report to this file.'}),
    base: Flags.string({description: 'Commit the builtin checks compare with (default: merge-base with the main branch).'}),
    'message-file': Flags.string({description: 'Commit message file for conventional-commits (used by the commit-msg hook).'}),
  }

  async run(): Promise<GatesRun> {
    const f = this.flags
    const flags = {stage: this.args.stage, only: f.only, concurrency: f.concurrency, failFast: f['fail-fast'], noCache: f['no-cache'], junit: f.junit, base: f.base, messageFile: f['message-file']}
    return gatesRunBody(await this.deps(), flags, {json: this.jsonEnabled(), log: (line) => this.log(line)})
  }
}

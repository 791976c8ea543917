import {FlowCommand} from '../cli/flow-command.js'
import {runDoctor, type DoctorReport} from '../core/doctor/run-doctor.js'
import {ExitCode} from '../core/errors.js'

const MARK = {ok: '✓', warn: '!', fail: '✗'} as const

export default class Doctor extends FlowCommand<typeof Doctor> {
  static override summary = 'Check git, the repository, flow.yml, the remote, the forge, the record store and hooks.'
  static override description = 'Each line is ok, warn or fail, with the fix. Exits 1 when any check fails. Never prints a token: only where it came from.'
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json']

  async run(): Promise<DoctorReport> {
    const report = await runDoctor(await this.deps())
    for (const check of report.checks) {
      this.log(`${MARK[check.status]} ${check.id.padEnd(10)} ${check.message}`)
      if (check.fix && check.status !== 'ok') this.log(`  ${''.padEnd(10)} fix: ${check.fix}`)
    }
    if (!report.ok) process.exitCode = ExitCode.failure
    return report
  }
}

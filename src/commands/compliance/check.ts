import {FlowCommand} from '../../cli/flow-command.js'
import {checkCompliance, type ComplianceReport} from '../../core/compliance/check-compliance.js'
import {FlowError} from '../../core/errors.js'

const MARK = {pass: 'pass', fail: 'FAIL', unknown: '????', 'not-applicable': 'n/a '} as const

export default class ComplianceCheck extends FlowCommand<typeof ComplianceCheck> {
  static override summary = 'Compare the policy in flow.yml with what the forge and the repository enforce.'
  static override description = `Each rule is pass, fail, unknown or not applicable, with the evidence and the fix.
On GitHub: branch protection and rulesets of the main and release branches (approvals, code owner review, stale
reviews dismissed, the CI gates as required status checks, no force pushes, no deletion) and the environments of
flow.yml with their required reviewers. Everywhere: CODEOWNERS covers every tracked path, the generated CI workflow
is up to date, the hooks of hooks.install are installed (not checked in CI), and compliance.required_gates are
neither missing nor optional. A setting the token may not read is unknown, naming the permission.
Exits 6 when a rule fails, so it can run on a schedule in CI.`

  static override examples = [
    '<%= config.bin %> compliance check',
    '<%= config.bin %> compliance check --json',
  ]

  async run(): Promise<ComplianceReport> {
    const report = await checkCompliance(await this.deps())
    this.log(`Compliance of ${report.forge.describe}:`)
    for (const rule of report.rules) {
      this.log(`  ${MARK[rule.status]}  ${rule.title}: ${rule.evidence}`)
      if (rule.fix && rule.status !== 'pass') this.log(`        fix: ${rule.fix}`)
    }
    const c = report.counts
    this.log(`${c.pass} pass, ${c.fail} fail, ${c.unknown} unknown, ${c['not-applicable']} not applicable`)
    if (!report.ok) {
      const failed = report.rules.filter((r) => r.status === 'fail').map((r) => r.id)
      const error = new FlowError('POLICY_BLOCKED', `${failed.length} compliance rule${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}`, {hint: 'Apply the fix shown under each failing rule, then run flow compliance check again.'})
      if (!this.jsonEnabled()) throw error
      process.exitCode = error.exit
    }
    return report
  }
}

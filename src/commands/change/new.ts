import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {newChange, type ChangeCreated} from '../../core/changes/new-change.js'

export default class ChangeNew extends FlowCommand<typeof ChangeNew> {
  static override summary = 'Raise a change request (standard, normal or emergency) bound to the current branch, a pull request or a deployment.'
  static override description = `The change is scored for risk (flow change risk) and recorded as CHG-<n> on flow/records. A standard change
must match one of changes.templates in flow.yml and is then pre-approved; a normal change needs the approvals its type
and risk score call for; an emergency change is reviewed after the fact. The backout plan defaults to the rollback of
the first target environment that has one.`

  static override examples = [
    '<%= config.bin %> change new --type normal --env production --window 2026-12-01T09:00Z..2026-12-01T11:00Z',
    '<%= config.bin %> change new --type standard --title "Bump lockfile" --json',
    '<%= config.bin %> change new --type emergency --pr 42 --break-glass "checkout down, fix needed now"',
  ]

  static override flags = {
    type: Flags.string({description: 'standard, normal or emergency.', options: ['standard', 'normal', 'emergency'], required: true}),
    title: Flags.string({description: 'Title (default: the pull request title or the branch name).'}),
    description: Flags.string({description: 'What changes and why (default: from the matching template).'}),
    impact: Flags.string({description: 'Who and what is affected.'}),
    'test-plan': Flags.string({description: 'How the change was and will be tested.'}),
    backout: Flags.string({description: 'How to back out (default: the environment\'s rollback).'}),
    window: Flags.string({description: 'Planned window START..END (ISO-8601).'}),
    env: Flags.string({description: 'A target environment (repeatable).', multiple: true}),
    service: Flags.string({description: 'A service affected (repeatable; services whose paths change are added).', multiple: true}),
    pr: Flags.integer({description: 'Bind to this pull request instead of the current branch.', min: 1}),
    deployment: Flags.string({description: 'Bind to this deployment (DEP-n) instead of the current branch.'}),
    template: Flags.string({description: 'The changes.templates entry to use (default: the first whose match rules hold).'}),
    'break-glass': Flags.string({description: 'Override a freeze, with the reason (recorded and flagged for review after).'}),
    ...dryRunFlag,
  }

  async run(): Promise<ChangeCreated> {
    const f = this.flags
    const result = await newChange(await this.deps(), {
      type: f.type as ChangeCreated['type'], title: f.title, description: f.description, impact: f.impact, testPlan: f['test-plan'], backout: f.backout,
      window: f.window, environments: f.env, services: f.service, pullRequest: f.pr, deployment: f.deployment, template: f.template,
      breakGlass: f['break-glass'], dryRun: f['dry-run'],
    })
    const what = `${result.type} change "${result.title}": risk ${result.risk.score}, ${result.preApproved ? `pre-approved (template ${result.template})` : `${result.approvalsRequired} approval${result.approvalsRequired === 1 ? '' : 's'} required`}`
    this.log(result.dryRun ? `Would raise ${article(result.type)} ${what}` : `Raised ${result.id}, ${article(result.type)} ${what}`)
    for (const r of result.risk.reasons) this.log(`  +${r.points} ${r.factor}: ${r.detail}`)
    return result
  }
}

const article = (type: string) => (type === 'emergency' ? 'an' : 'a')

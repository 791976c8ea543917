import {Args} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {draftPostmortem, type PostmortemDrafted} from '../../core/incidents/postmortem.js'
import {formatDryRun} from '../../core/incidents/render.js'

export default class IncidentPostmortem extends FlowCommand<typeof IncidentPostmortem> {
  static override summary = 'Draft the blameless postmortem of an incident on a branch and propose it as a pull request.'
  static override description = `The draft comes from flow.yml incidents.postmortem.template, else docs/postmortems/TEMPLATE.md in the repository,
else the built-in template, with the incident's real timeline, durations, cause, suspect deployments and follow-ups.
It is committed to docs/postmortems/ on a new branch postmortem/inc-N-... (the work tree is not touched), pushed,
and proposed as a pull request (a local review request with the local forge); the incident records it.`

  static override examples = ['<%= config.bin %> incident postmortem INC-3', '<%= config.bin %> incident postmortem INC-3 --dry-run']
  static override args = {id: Args.string({required: true, description: 'The incident, e.g. INC-3.'})}
  static override flags = {...dryRunFlag}

  async run(): Promise<PostmortemDrafted> {
    const result = await draftPostmortem(await this.deps(), {incident: this.args.id, dryRun: this.flags['dry-run']})
    if (result.dryRun) for (const line of formatDryRun(`draft ${result.path}`, result)) this.log(line)
    else this.log(`Drafted ${result.path} on ${result.branch}${result.pullRequest ? `: ${result.pullRequest.url}` : ''}`)
    return result
  }
}

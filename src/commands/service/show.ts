import {Args} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import type {Service} from '../../core/services/catalog.js'

export default class ServiceShow extends FlowCommand<typeof ServiceShow> {
  static override summary = 'One service: owners, where it is defined, environments, recent deployments and open incidents.'
  static override examples = ['<%= config.bin %> service show checkout', '<%= config.bin %> service show checkout --json']
  static override args = {name: Args.string({required: true, description: 'The service name (flow.yml services, or a catalog-info.yaml metadata.name).'})}

  async run(): Promise<Service> {
    const {showService} = await import('../../core/services/catalog.js')
    const s = await showService(await this.deps(), {name: this.args.name})
    const lines = [
      s.name + (s.description ? `: ${s.description}` : ''),
      `  owner: ${s.owner ?? '–'}${s.codeowners.length > 0 ? `; CODEOWNERS: ${s.codeowners.join(', ')}` : ''}`,
      `  defined in: ${s.sources.join(', ')}`,
      `  paths: ${s.paths.join(', ') || '–'}`,
      ...(s.type || s.lifecycle || s.system ? [`  catalog: ${[s.type && `type ${s.type}`, s.lifecycle && `lifecycle ${s.lifecycle}`, s.system && `system ${s.system}`].filter(Boolean).join(', ')}`] : []),
      ...(s.runbook ? [`  runbook: ${s.runbook}`] : []),
      ...(s.slo ? [`  SLO: ${s.slo.target}% over ${s.slo.window}`] : []),
      `  environments: ${s.environments.join(', ') || '–'}`,
      '  recent deployments:',
      ...(s.recentDeployments.length > 0 ? s.recentDeployments.map((d) => `    ${d.id}  ${d.environment}  ${d.sha.slice(0, 7)}  ${d.kind}  ${d.outcome}  ${d.at.slice(0, 16).replace('T', ' ')}`) : ['    none']),
      '  open incidents:',
      ...(s.openIncidents.length > 0 ? s.openIncidents.map((i) => `    ${i.id}  ${i.severity}  ${i.status}  ${i.title}`) : ['    none']),
    ]
    for (const line of lines) this.log(line)
    return s
  }
}

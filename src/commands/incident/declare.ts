import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {declareIncident, type IncidentDeclared} from '../../core/incidents/declare.js'
import {formatDeclared, formatDryRun} from '../../core/incidents/render.js'

export default class IncidentDeclare extends FlowCommand<typeof IncidentDeclare> {
  static override summary = 'Declare an incident: record it, print the checklist of its severity, notify, and show suspect deployments.'
  static override description = `Severities come from flow.yml (incidents.severities); on a terminal without --sev a picker shows each one's
description. The notify commands of incidents.notify run with the incident's fields as separate arguments. Deployments
to the affected environments in the hours before the impact are shown as suspects (never as the cause), with the code
owners of the paths they changed. Times: ISO-8601 (UTC without an offset), HH:MM today (UTC), or "15m ago".
With the GitHub forge the incident is mirrored to an issue labelled incident and sev:<S>. --drill keeps it apart.`

  static override examples = [
    '<%= config.bin %> incident declare "Checkout 500s" --sev sev1 --service web --started "20m ago" --commander alice',
    '<%= config.bin %> incident declare "Game day: database failover" --sev sev2 --drill --json',
  ]

  static override args = {title: Args.string({required: true, description: 'What is wrong, in a few words.'})}
  static override flags = {
    sev: Flags.string({description: 'Severity, one of flow.yml incidents.severities (a picker on a terminal without it).'}),
    service: Flags.string({description: 'An affected service (repeatable).', multiple: true}),
    env: Flags.string({description: 'An affected environment (repeatable; default: those running the services).', multiple: true}),
    started: Flags.string({description: 'When the impact started (default: unknown).'}),
    detected: Flags.string({description: 'When it was detected (default: unknown).'}),
    declared: Flags.string({description: 'When it was declared (default: now), for an incident recorded after the fact.'}),
    commander: Flags.string({description: 'The incident commander.'}),
    drill: Flags.boolean({description: 'A drill: kept apart from real incidents everywhere, metrics included.'}),
    ...dryRunFlag,
  }

  async run(): Promise<IncidentDeclared> {
    const f = this.flags
    const result = await declareIncident(await this.deps(), {
      title: this.args.title, severity: f.sev, services: f.service, environments: f.env, started: f.started, detected: f.detected, declared: f.declared,
      commander: f.commander, drill: f.drill, dryRun: f['dry-run'],
    })
    for (const line of result.dryRun ? formatDryRun(`declare ${result.id}`, result) : formatDeclared(result)) this.log(line)
    return result
  }
}

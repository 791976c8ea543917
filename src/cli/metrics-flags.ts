import {Flags} from '@oclif/core'

/** The flags flow metrics dora and flow metrics incidents share. */
export const metricsFlags = {
  since: Flags.string({description: 'Start of the window: a duration back from --until (90d) or a date (default: flow.yml metrics.window).'}),
  until: Flags.string({description: 'End of the window: a date or time (default: now).'}),
  service: Flags.string({description: 'Only this service\'s deployments and incidents.'}),
  format: Flags.option({options: ['table', 'json', 'md', 'html'] as const, default: 'table', description: 'table (terminal, with weekly sparklines), json, md, or html (one self-contained page with charts).'})(),
  out: Flags.string({description: 'Write the report to this file instead of stdout.'}),
  import: Flags.boolean({description: 'First read GitHub\'s deployments and issues labelled incident into the (empty) record store.'}),
}


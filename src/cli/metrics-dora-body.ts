// The body of `flow metrics dora`, run by its oclif class and by the fast lane (fast-lane.ts) alike, so both ways
// print the same. No @oclif/core here.
import type {Deps} from '../core/deps.js'
import type {DoraReport} from '../core/metrics/dora.js'

/** The flags of `flow metrics dora` the body takes (`--import` is the oclif class's alone). */
export interface MetricsDoraFlags {
  env?: string
  since?: string
  until?: string
  service?: string
  format: 'table' | 'json' | 'md' | 'html'
  out?: string
  import?: boolean
}

const FORMATS = ['table', 'json', 'md', 'html'] as const

/** flow metrics dora: the report, printed in the chosen format (under --json, the return value is the output). */
export async function metricsDoraBody(deps: Deps, flags: MetricsDoraFlags, out: {json: boolean; cwd: string; log(line: string): void}): Promise<DoraReport> {
  const [{metricsDora}, {emitReport}] = await Promise.all([import('../core/metrics/run-metrics.js'), import('../core/metrics/output.js')])
  const report = await metricsDora(deps, {env: flags.env, since: flags.since, until: flags.until, service: flags.service, import: flags.import})
  await emitReport(out.json, {format: flags.format, ...(flags.out === undefined ? {} : {out: flags.out}), cwd: out.cwd}, {kind: 'dora', report}, out.log)
  return report
}

/**
 * The flags of `metrics dora` (argv after it) in the forms oclif takes (`--flag value`, `--flag=value`), or
 * undefined for anything else (a flag given twice, an unknown flag or format, --import, a value starting with "-"):
 * then oclif runs the command and says what is wrong.
 */
export function parseMetricsDoraArgs(args: readonly string[]): MetricsDoraFlags | undefined {
  const values: Record<string, string> = {}
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const eq = a.indexOf('=')
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a
    if (!['--env', '--since', '--until', '--service', '--format', '--out'].includes(flag) || flag in values) return undefined
    const value = eq > 0 ? a.slice(eq + 1) : args[++i]
    if (value === undefined || value === '' || value.startsWith('-')) return undefined
    values[flag] = value
  }
  const format = values['--format'] ?? 'table'
  if (!(FORMATS as readonly string[]).includes(format)) return undefined
  return {
    format: format as MetricsDoraFlags['format'],
    ...(values['--env'] === undefined ? {} : {env: values['--env']}),
    ...(values['--since'] === undefined ? {} : {since: values['--since']}),
    ...(values['--until'] === undefined ? {} : {until: values['--until']}),
    ...(values['--service'] === undefined ? {} : {service: values['--service']}),
    ...(values['--out'] === undefined ? {} : {out: values['--out']}),
  }
}

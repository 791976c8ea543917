/** The DORA and incident reports as a terminal table (with sparklines) and as Markdown. */
import type {BandResult, DoraReport} from './dora.js'
import type {IncidentReport, TimedFigure} from './incident-metrics.js'
import {formatDuration, formatPercent, round1} from './stats.js'

const SPARKS = '▁▂▃▄▅▆▇█'

/** A sparkline of a weekly series; a gap (·) where a week has no value. */
export function sparkline(values: ReadonlyArray<number | null>): string {
  const present = values.filter((v): v is number => v !== null)
  const max = Math.max(0, ...present)
  return values.map((v) => (v === null ? '·' : max === 0 ? SPARKS[0] : SPARKS[Math.min(7, Math.round((v / max) * 7))])).join('')
}

/** The band column: each year's cluster, or why none is shown. */
export function bandText(band: BandResult): string {
  if (!band.shown || !band.byYear) return band.reason === 'no value' ? '–' : `– (${band.reason})`
  return Object.entries(band.byYear).map(([year, b]) => `${year}: ${b.label}`).join(', ')
}

const REASON_TEXT = {rolled_back: 'rolled back', caused_incident: 'caused an incident', needed_hotfix: 'needed a hotfix'} as const

/** The rows every format shows: metric, value, sample, band, weekly trend. */
export function doraRows(r: DoraReport): Array<{metric: string; value: string; sample: string; band: BandResult | undefined; weekly: ReadonlyArray<number | null>}> {
  const f = r.deploymentFrequency
  const l = r.leadTime
  const c = r.changeFailureRate
  const rec = r.recoveryTime
  const w = r.reworkRate
  return [
    {metric: 'Deployment frequency', value: `${round1(f.perWeek)}/week (${round1(f.perDay)}/day)`, sample: `${f.sample} deployments`, band: f.band, weekly: f.weekly},
    {metric: 'Lead time, from commit', value: `median ${formatDuration(l.fromCommit.median)}, p90 ${formatDuration(l.fromCommit.p90)}`, sample: `${l.sample} commits`, band: l.band, weekly: l.weeklyMedian},
    {metric: 'Lead time, from merge', value: `median ${formatDuration(l.fromMerge.median)}, p90 ${formatDuration(l.fromMerge.p90)}`, sample: `${l.sample} commits`, band: undefined, weekly: []},
    {metric: 'Change failure rate', value: c.rate === undefined ? '–' : `${formatPercent(c.rate)} (${c.failed} of ${c.sample})`, sample: `${c.sample} deployments`, band: c.band, weekly: c.weekly},
    {metric: 'Failed deployment recovery', value: rec.median === undefined ? '–' : `median ${formatDuration(rec.median)}`, sample: `${rec.sample} failures, ${rec.recovered} recovered`, band: rec.band, weekly: rec.weekly},
    {metric: 'Rework rate', value: w.rate === undefined ? '–' : `${formatPercent(w.rate)} (${w.rework} of ${w.sample})`, sample: `${w.sample} deployments`, band: undefined, weekly: w.weekly},
  ]
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)))
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat((widths[i] as number) - [...cell].length))).join('  ').trimEnd())
}

const day = (iso: string) => iso.slice(0, 10)

/** The headline of a report. */
export function doraTitle(r: DoraReport): string {
  return `DORA metrics · ${r.environment}${r.service ? ` · service ${r.service}` : ''} · ${day(r.window.start)} → ${day(r.window.end)} (${round1(r.window.days)} days)`
}

function failureLines(r: DoraReport): string[] {
  return r.changeFailureRate.failures.map((f) => `${f.id} (${f.sha.slice(0, 7)}, ${day(f.at)}): ${f.reasons.map((x) => REASON_TEXT[x]).join(', ')}`)
}

/** The terminal table: one row per metric with its sample, band and a sparkline of the weekly trend. */
export function renderDoraTable(r: DoraReport): string {
  const lines = [doraTitle(r), '']
  lines.push(...table([['metric', 'value', 'sample', 'DORA band', `weekly (${r.window.weeks} wk)`], ...doraRows(r).map((row) => [row.metric, row.value, row.sample, row.band ? bandText(row.band) : '', sparkline(row.weekly)])]))
  const failures = failureLines(r)
  if (failures.length > 0) lines.push('', 'Failed deployments (each counted once):', ...failures.map((f) => `  ${f}`))
  lines.push('', `Incidents in the window: ${r.incidents.inWindow} (${r.incidents.withoutCause} without a recorded cause; drills left out: ${r.incidents.drillsExcluded})`)
  if (r.notes.length > 0) lines.push('', 'Notes:', ...r.notes.map((n) => `  - ${n}`))
  lines.push('', 'Definitions:', ...Object.entries(r.definitions).map(([k, d]) => `  ${k}: ${d}`))
  return lines.join('\n')
}

/** The report as Markdown (for a wiki page or the process document). */
export function renderDoraMarkdown(r: DoraReport, headingLevel = 1): string {
  const h = '#'.repeat(headingLevel)
  const lines = [`${h} ${doraTitle(r)}`, '', '| Metric | Value | Sample | DORA band | Weekly trend |', '|---|---|---|---|---|']
  for (const row of doraRows(r)) lines.push(`| ${row.metric} | ${row.value} | ${row.sample} | ${row.band ? bandText(row.band) : ''} | ${sparkline(row.weekly)} |`)
  const failures = failureLines(r)
  if (failures.length > 0) lines.push('', `${h}# Failed deployments`, '', ...failures.map((f) => `- ${f}`))
  lines.push('', `Incidents in the window: ${r.incidents.inWindow} (${r.incidents.withoutCause} without a recorded cause; drills left out: ${r.incidents.drillsExcluded}).`)
  if (r.notes.length > 0) lines.push('', `${h}# Notes`, '', ...r.notes.map((n) => `- ${n}`))
  lines.push('', `${h}# Definitions`, '', ...Object.entries(r.definitions).map(([k, d]) => `- **${k}**: ${d}`))
  return `${lines.join('\n')}\n`
}

const timed = (f: TimedFigure) => (f.sample === 0 ? '–' : `median ${formatDuration(f.median)}, p90 ${formatDuration(f.p90)} (${f.sample})`)

/** The rows of the incident report. */
export function incidentRows(r: IncidentReport): string[][] {
  return [
    ['Incidents', `${r.total} (${r.open} open)`],
    ['By severity', Object.entries(r.bySeverity).map(([k, v]) => `${k} ${v}`).join(', ') || '–'],
    ['By service', Object.entries(r.byService).map(([k, v]) => `${k} ${v}`).join(', ') || '–'],
    ['Time to acknowledge', timed(r.timeToAcknowledge)],
    ['Time to mitigate', timed(r.timeToMitigate)],
    ['Time to resolve', timed(r.timeToResolve)],
    ['Follow-ups done', r.followUps.total === 0 ? '–' : `${r.followUps.done} of ${r.followUps.total} (${formatPercent(r.followUps.rate)})`],
    ['Postmortem lag', `${timed(r.postmortems.lag)}; ${r.postmortems.written} written${r.postmortems.missing.length > 0 ? `, missing: ${r.postmortems.missing.join(', ')}` : ''}`],
  ]
}

/** The incident report for a terminal or Markdown. */
export function renderIncidents(r: IncidentReport, format: 'table' | 'md'): string {
  const title = `Incidents · ${day(r.window.start)} → ${day(r.window.end)}${r.service ? ` · service ${r.service}` : ''} (drills left out: ${r.drillsExcluded})`
  const rows = incidentRows(r)
  const defs = Object.entries(r.definitions).map(([k, d]) => `${k}: ${d}`)
  if (format === 'md') {
    return `${[`# ${title}`, '', '| Figure | Value |', '|---|---|', ...rows.map(([a, b]) => `| ${a} | ${b} |`), ...(r.notes.length > 0 ? ['', ...r.notes.map((n) => `- ${n}`)] : []), '', '## Definitions', '', ...defs.map((d) => `- ${d}`)].join('\n')}\n`
  }
  return [title, '', ...table(rows), ...(r.notes.length > 0 ? ['', 'Notes:', ...r.notes.map((n) => `  - ${n}`)] : []), '', 'Definitions:', ...defs.map((d) => `  ${d}`)].join('\n')
}

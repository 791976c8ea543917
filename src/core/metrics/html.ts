/** The DORA report as one self-contained HTML page: inline CSS and SVG charts, no script, no network. */
import type {BandResult, DoraReport} from './dora.js'
import type {IncidentReport} from './incident-metrics.js'
import {doraTitle, incidentRows} from './render.js'
import {formatDuration, formatPercent, round1} from './stats.js'

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c] as string)

const COLORS = {elite: '#1a7f37', high: '#2f81f7', medium: '#bf8700', low: '#cf222e'} as const

/** A bar chart of a weekly series, with a value axis and week labels; empty weeks drawn as a dotted stub. */
export function barChart(values: ReadonlyArray<number | null>, labels: readonly string[], format: (n: number) => string, color: string, title: string): string {
  const width = 520
  const height = 170
  const left = 54
  const bottom = 26
  const top = 12
  const plotW = width - left - 10
  const plotH = height - top - bottom
  const max = Math.max(0, ...values.filter((v): v is number => v !== null))
  const scale = max === 0 ? 1 : max
  const n = Math.max(1, values.length)
  const slot = plotW / n
  const barW = Math.max(2, Math.min(36, slot * 0.7))
  const parts: string[] = [`<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">`, `<title>${esc(title)}</title>`]
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH - f * plotH
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" stroke="#d0d7de" stroke-width="1"${f === 0 ? '' : ' stroke-dasharray="3 3"'}/>`)
    parts.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#57606a">${esc(max === 0 ? (f === 0 ? '0' : '') : format(f * max))}</text>`)
  }
  const every = Math.max(1, Math.ceil(n / 8))
  values.forEach((v, i) => {
    const x = left + i * slot + (slot - barW) / 2
    if (v === null) {
      parts.push(`<rect x="${x}" y="${top + plotH - 2}" width="${barW}" height="2" fill="#d0d7de"><title>${esc(`${labels[i] ?? ''}: no data`)}</title></rect>`)
    } else {
      const h = Math.max(v > 0 ? 2 : 0, (v / scale) * plotH)
      parts.push(`<rect x="${x}" y="${top + plotH - h}" width="${barW}" height="${h}" rx="3" fill="${color}"><title>${esc(`${labels[i] ?? ''}: ${format(v)}`)}</title></rect>`)
    }
    if (i % every === 0) parts.push(`<text x="${x + barW / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#57606a">${esc(labels[i] ?? '')}</text>`)
  })
  parts.push('</svg>')
  return parts.join('')
}

/** A horizontal stacked bar (failure reasons, rework kinds) with a legend. */
export function stackedBar(parts: Array<{label: string; value: number; color: string}>, total: number): string {
  const width = 520
  const present = parts.filter((p) => p.value > 0)
  let x = 0
  const rects = present.map((p) => {
    const w = total > 0 ? (p.value / total) * width : 0
    const r = `<rect x="${x}" y="0" width="${w}" height="18" fill="${p.color}"><title>${esc(`${p.label}: ${p.value}`)}</title></rect>`
    x += w
    return r
  })
  const legend = parts.map((p) => `<span class="key"><i style="background:${p.color}"></i>${esc(p.label)} ${p.value}</span>`).join('')
  return `<svg viewBox="0 0 ${width} 18" width="100%" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><rect width="${width}" height="18" rx="4" fill="#eaeef2"/>${rects.join('')}</svg><div class="legend">${legend}</div>`
}

function bandBadges(band: BandResult | undefined): string {
  if (!band) return ''
  if (!band.shown || !band.byYear) return `<div class="bands muted">${esc(band.reason === 'no value' ? 'No band: no value yet' : `No band: ${band.reason ?? ''}`)}</div>`
  return `<div class="bands">${Object.entries(band.byYear)
    .map(([year, b]) => `<span class="badge" style="background:${COLORS[b.label]}" title="${esc(b.text)}">DORA ${esc(year)}: ${esc(b.label)}</span>`)
    .join(' ')}</div>`
}

function card(o: {title: string; value: string; sub: string; band?: BandResult; chart: string; definition: string}): string {
  return `<section class="card"><h2>${esc(o.title)}</h2><div class="value">${esc(o.value)}</div><div class="sub">${esc(o.sub)}</div>${bandBadges(o.band)}<div class="chart">${o.chart}</div><p class="def">${esc(o.definition)}</p></section>`
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa}
header{background:#0d1117;color:#f0f6fc;padding:28px 40px}header h1{margin:0 0 6px;font-size:24px}header p{margin:0;color:#8b949e}
main{padding:24px 40px;display:grid;grid-template-columns:repeat(auto-fit,minmax(500px,1fr));gap:20px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:18px 20px}
.card h2{margin:0;font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:#57606a}
.value{font-size:30px;font-weight:600;margin-top:4px}.sub{color:#57606a}
.bands{margin:8px 0}.badge{color:#fff;border-radius:999px;padding:2px 10px;font-size:12px;font-weight:600;margin-right:6px}
.muted{color:#8c959f;font-size:12px}.chart{margin-top:10px}.def{color:#57606a;font-size:12px;margin:10px 0 0}
.legend{margin-top:6px}.key{margin-right:14px;font-size:12px;color:#57606a}.key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
.wide{grid-column:1/-1}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:6px 8px;border-bottom:1px solid #eaeef2;font-size:13px}
.notes li{margin:4px 0}footer{padding:0 40px 30px;color:#8c959f;font-size:12px}`

/** The whole page. */
export function renderDoraHtml(r: DoraReport, incidents?: IncidentReport): string {
  const weeks = r.weekStarts.map((w) => w.slice(5, 10))
  const f = r.deploymentFrequency
  const l = r.leadTime
  const c = r.changeFailureRate
  const rec = r.recoveryTime
  const w = r.reworkRate
  const hours = (ms: number) => formatDuration(ms)
  const pct = (v: number) => `${round1(v * 100)}%`
  const cards = [
    card({title: 'Deployment frequency', value: `${round1(f.perWeek)} / week`, sub: `${f.successful} successful deployments · ${round1(f.perDay)} per day`, band: f.band, chart: barChart(f.weekly, weeks, (v) => String(round1(v)), '#2f81f7', 'Successful deployments per week'), definition: r.definitions.deploymentFrequency}),
    card({
      title: 'Lead time for changes',
      value: `${formatDuration(l.fromCommit.median)} median`,
      sub: `p90 ${formatDuration(l.fromCommit.p90)} · from merge: median ${formatDuration(l.fromMerge.median)}, p90 ${formatDuration(l.fromMerge.p90)} · ${l.sample} commits in ${l.deployments} deployments`,
      band: l.band,
      chart: barChart(l.weeklyMedian, weeks, hours, '#8250df', 'Median lead time per week') + barChart(l.distribution.map((d) => d.count), l.distribution.map((d) => d.label), (v) => String(Math.round(v)), '#c297ff', 'Commits by lead time'),
      definition: r.definitions.leadTime,
    }),
    card({
      title: 'Change failure rate',
      value: c.rate === undefined ? '–' : formatPercent(c.rate),
      sub: `${c.failed} of ${c.sample} deployments failed (each counted once)`,
      band: c.band,
      chart: stackedBar([
        {label: 'rolled back', value: c.byReason.rolled_back, color: '#cf222e'},
        {label: 'caused an incident', value: c.byReason.caused_incident, color: '#bc4c00'},
        {label: 'needed a hotfix', value: c.byReason.needed_hotfix, color: '#bf8700'},
      ], Math.max(1, c.byReason.rolled_back + c.byReason.caused_incident + c.byReason.needed_hotfix)) + '<div class="muted">Reasons; one deployment may have several and still counts once.</div>' + barChart(c.weekly, weeks, pct, '#cf222e', 'Change failure rate per week'),
      definition: r.definitions.changeFailureRate,
    }),
    card({title: 'Failed deployment recovery time', value: rec.median === undefined ? '–' : `${formatDuration(rec.median)} median`, sub: `${rec.recovered} of ${rec.sample} failures recovered${rec.unrecovered.length > 0 ? ` · not yet: ${rec.unrecovered.join(', ')}` : ''}`, band: rec.band, chart: barChart(rec.weekly, weeks, hours, '#1a7f37', 'Median recovery time per week'), definition: r.definitions.recoveryTime}),
    card({
      title: 'Rework rate',
      value: w.rate === undefined ? '–' : formatPercent(w.rate),
      sub: `${w.rework} of ${w.sample} deployments were emergency, hotfix or rollback`,
      chart: stackedBar([
        {label: 'rollback', value: w.byKind.rollback ?? 0, color: '#cf222e'},
        {label: 'hotfix', value: w.byKind.hotfix ?? 0, color: '#bf8700'},
        {label: 'emergency', value: w.byKind.emergency ?? 0, color: '#bc4c00'},
        {label: 'planned', value: w.sample - w.rework, color: '#8c959f'},
      ], Math.max(1, w.sample)) + barChart(w.weekly, weeks, pct, '#bf8700', 'Rework rate per week'),
      definition: r.definitions.reworkRate,
    }),
  ]
  const failures = c.failures.length === 0 ? '<p class="muted">No failed deployment in the window.</p>' : `<table><tr><th>Deployment</th><th>Sha</th><th>Started</th><th>Why it counts</th></tr>${c.failures.map((x) => `<tr><td>${esc(x.id)}</td><td><code>${esc(x.sha.slice(0, 7))}</code></td><td>${esc(x.at.slice(0, 16).replace('T', ' '))}</td><td>${esc(x.reasons.join(', ').replace(/_/g, ' '))}</td></tr>`).join('')}</table>`
  const incidentCard = incidents ? `<section class="card wide"><h2>Incidents</h2><table>${incidentRows(incidents).map(([a, b]) => `<tr><th>${esc(a ?? '')}</th><td>${esc(b ?? '')}</td></tr>`).join('')}</table></section>` : ''
  const notes = [`Incidents in the window: ${r.incidents.inWindow}, of which ${r.incidents.withoutCause} have no recorded cause; drills left out: ${r.incidents.drillsExcluded}.`, ...r.notes]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(doraTitle(r))}</title><style>${STYLE}</style></head>
<body><header><h1>${esc(doraTitle(r))}</h1><p>${esc(`${r.window.weeks} weekly buckets · bands from DORA's 2023 and 2024 reports, shown only with enough samples · no per-person figures`)}</p></header>
<main>${cards.join('\n')}
<section class="card wide"><h2>Failed deployments</h2>${failures}</section>${incidentCard}
<section class="card wide"><h2>Notes</h2><ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section></main>
<footer>Generated by flow metrics dora from flow's own records and git.</footer></body></html>
`
}

/** The incident report as a page of its own. */
export function renderIncidentsHtml(r: IncidentReport): string {
  const title = `Incidents · ${r.window.start.slice(0, 10)} → ${r.window.end.slice(0, 10)}`
  const sev = Object.entries(r.bySeverity)
  const chart = barChart(sev.map(([, v]) => v), sev.map(([k]) => k), (v) => String(Math.round(v)), '#bc4c00', 'Incidents by severity')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><h1>${esc(title)}</h1><p>${esc(`drills left out: ${r.drillsExcluded}`)}</p></header><main>
<section class="card"><h2>By severity</h2>${chart}</section>
<section class="card"><h2>Figures</h2><table>${incidentRows(r).map(([a, b]) => `<tr><th>${esc(a ?? '')}</th><td>${esc(b ?? '')}</td></tr>`).join('')}</table></section>
<section class="card wide"><h2>Definitions</h2><ul class="notes">${Object.values(r.definitions).map((d) => `<li>${esc(d)}</li>`).join('')}${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>
</main></body></html>
`
}

import type {GateResult, GatesRun} from './run-gates.js'
import {formatDuration} from './run-gates.js'

// XML 1.0 allows tab, newline, carriage return and the ranges below; anything else cannot appear even escaped.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Text escaped for XML content and attribute values (invalid characters dropped). */
export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** A JUnit XML report of a run: one testcase per gate; failures carry the tail of the output. */
export function junitXml(run: GatesRun): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3)
  const failures = run.gates.filter((g) => g.status === 'failed').length
  const skipped = run.gates.filter((g) => g.status === 'skipped' || g.status === 'cancelled' || g.status === 'cached').length
  const suite = xmlEscape(run.stage ? `flow gates ${run.stage}` : 'flow gates')
  const cases = run.gates.map((g) => {
    const open = `    <testcase name="${xmlEscape(g.name)}" classname="flow.gates" time="${seconds(g.durationMs)}"`
    if (g.status === 'failed') {
      const body = (g.tail ?? []).join('\n')
      return `${open}>\n      <failure message="${xmlEscape(`${g.optional ? '(optional) ' : ''}${g.reason ?? 'failed'}`)}" type="${g.timedOut ? 'timeout' : 'gate'}">${xmlEscape(body)}</failure>\n    </testcase>`
    }
    if (g.status === 'passed') return `${open}/>`
    return `${open}>\n      <skipped message="${xmlEscape(g.status === 'cached' ? 'cached: inputs unchanged since a green run' : (g.reason ?? g.status))}"/>\n    </testcase>`
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="flow" tests="${run.gates.length}" failures="${failures}" skipped="${skipped}" time="${seconds(run.durationMs)}">`,
    `  <testsuite name="${suite}" tests="${run.gates.length}" failures="${failures}" skipped="${skipped}" time="${seconds(run.durationMs)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

/** The summary table of a run, one gate a line. */
export function summaryTable(run: GatesRun): string[] {
  const width = Math.max(4, ...run.gates.map((g) => g.name.length))
  const mark: Record<GateResult['status'], string> = {passed: '✓', cached: '●', failed: '✗', skipped: '-', cancelled: '-'}
  const lines = [`  ${'gate'.padEnd(width)}  ${'result'.padEnd(9)}  time`]
  for (const g of run.gates) {
    const note = g.optional && g.status === 'failed' ? ' (optional: not blocking)' : g.reason && g.status !== 'failed' ? ` (${g.reason})` : ''
    lines.push(`${mark[g.status]} ${g.name.padEnd(width)}  ${g.status.padEnd(9)}  ${g.status === 'cached' || g.status === 'skipped' ? '-' : formatDuration(g.durationMs)}${note}`)
  }
  const counts = (['passed', 'cached', 'failed', 'skipped', 'cancelled'] as const).map((s) => [s, run.gates.filter((g) => g.status === s).length] as const).filter(([, n]) => n > 0)
  lines.push(`${run.gates.length} gate${run.gates.length === 1 ? '' : 's'} in ${formatDuration(run.durationMs)}: ${counts.map(([s, n]) => `${n} ${s}`).join(', ') || 'nothing to run'}`)
  return lines
}

/** A GitHub Actions workflow-command value with its special characters encoded. */
export function escapeAnnotationData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeAnnotationProperty(text: string): string {
  return escapeAnnotationData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** `::error` (or `::warning` for optional gates) lines for the failed gates of a run. */
export function githubAnnotations(run: GatesRun): string[] {
  return run.gates
    .filter((g) => g.status === 'failed')
    .map((g) => `::${g.optional ? 'warning' : 'error'} title=${escapeAnnotationProperty(`Gate ${g.name} failed`)}::${escapeAnnotationData([`${g.name}: ${g.reason ?? 'failed'}`, ...(g.tail ?? []).slice(-10)].join('\n'))}`)
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

/** A Markdown job summary of a run, for GITHUB_STEP_SUMMARY. */
export function githubStepSummary(run: GatesRun): string {
  const icon: Record<GateResult['status'], string> = {passed: '✅', cached: '♻️', failed: '❌', skipped: '⏭️', cancelled: '⏹️'}
  const lines = [
    `### flow gates${run.stage ? `: ${mdCell(run.stage)}` : ''} ${run.ok ? 'passed' : 'failed'}`,
    '',
    '| gate | result | time |',
    '|---|---|---|',
    ...run.gates.map((g) => `| ${mdCell(g.name)} | ${icon[g.status]} ${g.status}${g.optional ? ' (optional)' : ''}${g.reason ? `: ${mdCell(g.reason)}` : ''} | ${formatDuration(g.durationMs)} |`),
  ]
  for (const g of run.gates.filter((x) => x.status === 'failed' && x.tail && x.tail.length > 0)) {
    const fence = '`'.repeat(Math.max(3, ...[...(g.tail ?? []).join('\n').matchAll(/`+/g)].map((m) => m[0].length + 1)))
    lines.push('', `<details><summary>${xmlEscape(g.name)}: last lines</summary>`, '', fence, ...(g.tail ?? []), fence, '', '</details>')
  }
  return `${lines.join('\n')}\n`
}

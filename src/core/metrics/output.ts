/** How a metrics report reaches stdout or a file, in the chosen format. */
import {writeFile} from 'node:fs/promises'
import {resolve} from 'node:path'
import type {DoraReport} from './dora.js'
import type {IncidentReport} from './incident-metrics.js'

/** Renders the report in the chosen format; under --json the command's return value is the output instead. */
export async function emitReport(
  json: boolean,
  flags: {format: 'table' | 'json' | 'md' | 'html'; out?: string; cwd: string},
  what: {kind: 'dora'; report: DoraReport} | {kind: 'incidents'; report: IncidentReport},
  log: (line: string) => void,
): Promise<void> {
  if (json && flags.out === undefined) return
  let text: string
  if (flags.format === 'json') text = `${JSON.stringify(what.report, null, 2)}\n`
  else if (flags.format === 'html') {
    const html = await import('./html.js')
    text = what.kind === 'dora' ? html.renderDoraHtml(what.report) : html.renderIncidentsHtml(what.report)
  } else {
    const render = await import('./render.js')
    if (what.kind === 'dora') text = flags.format === 'md' ? render.renderDoraMarkdown(what.report) : `${render.renderDoraTable(what.report)}\n`
    else text = `${render.renderIncidents(what.report, flags.format === 'md' ? 'md' : 'table')}\n`
  }
  if (flags.out !== undefined) {
    const path = resolve(flags.cwd, flags.out)
    await writeFile(path, text)
    process.stderr.write(`Wrote ${path}\n`)
    return
  }
  if (json) return
  log(text.replace(/\n$/, ''))
}

// npm run bench [-- --check] [-- --only startup,gates]: every benchmark suite, one table of medians, spreads and
// ratios (each against a baseline measured in the same run), written as JSON to bench/out/bench.json.
// --check exits 1 when a budget is missed. BENCH_RUNS (default 20) sets the runs of the quick cases.
// Suites: bench/{startup,feature,release,gates,records,metrics}.mjs, each exporting `name` and `run({runs})` → {tool, rows}.
// A new suite is one more file and one more entry in SUITES.
import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {availableParallelism, cpus, totalmem} from 'node:os'
import {join} from 'node:path'
import {root} from './common.mjs'

const SUITES = ['startup', 'feature', 'release', 'gates', 'records', 'metrics']

const args = process.argv.slice(2)
const check = args.includes('--check')
const onlyArg = args.find((a) => a.startsWith('--only'))
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',') : SUITES
const runs = Number(process.env.BENCH_RUNS ?? 20)

const results = []
for (const suite of SUITES.filter((s) => only.includes(s))) {
  const started = Date.now()
  process.stderr.write(`bench: ${suite}...\n`)
  const mod = await import(`./${suite}.mjs`)
  const result = await mod.run({runs})
  results.push({suite, seconds: Math.round((Date.now() - started) / 100) / 10, ...result})
}

const rows = results.flatMap((r) => r.rows)
const cols = [
  ['case', (r) => `${r.suite}: ${r.case}`],
  ['median ms', (r) => fmt(r.medianMs)],
  ['min–max ms', (r) => (r.minMs === undefined ? '' : `${fmt(r.minMs)}–${fmt(r.maxMs)}`)],
  ['× baseline', (r) => (r.ratio === undefined ? '' : r.ratio.toFixed(r.ratio < 0.1 ? 3 : 2))],
  ['budget', (r) => r.budget ?? r.note ?? ''],
  ['', (r) => (r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED')],
]
const fmt = (x) => (x === undefined ? '' : x >= 100 ? String(Math.round(x)) : x.toFixed(1))
const cells = [cols.map(([h]) => h), ...rows.map((r) => cols.map(([, f]) => f(r)))]
const widths = cols.map((_, i) => Math.max(...cells.map((c) => c[i].length)))
const machine = {cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, git: execFileSync('git', ['--version'], {encoding: 'utf8'}).trim(), date: new Date().toISOString()}
console.log(`flow bench, ${machine.date.slice(0, 16).replace('T', ' ')} UTC, ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.git}; ${[...new Set(results.map((r) => r.tool))].join(', ')}`)
for (const [i, c] of cells.entries()) {
  console.log(c.map((x, j) => (j === 0 || j >= 4 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join('  ').trimEnd())
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
}
mkdirSync(join(root, 'bench', 'out'), {recursive: true})
writeFileSync(join(root, 'bench', 'out', 'bench.json'), `${JSON.stringify({machine, runs, results}, null, 2)}\n`)
const missed = rows.filter((r) => r.ok === false)
if (check) {
  if (missed.length) {
    console.error(`\nbench --check: ${missed.length} budget${missed.length === 1 ? '' : 's'} missed: ${missed.map((r) => `${r.suite}: ${r.case}`).join('; ')}`)
    process.exit(1)
  }
  console.error(`\nbench --check: all ${rows.filter((r) => r.ok !== undefined).length} budgets met`)
}

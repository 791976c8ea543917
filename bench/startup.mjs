// npm run bench: startup of the built binary as ratios against `node -e 0`, measured in the same run.
// Uses hyperfine (Debian package) when present, else a spawnSync harness; prints a table and writes bench/out/startup.json.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bin, measure, median, writeResult} from './common.mjs'

const runs = Number(process.env.BENCH_RUNS ?? 20)
const repo = mkdtempSync(join(tmpdir(), 'flow-bench-'))
const git = (...args) => execFileSync('git', args, {cwd: repo, stdio: 'ignore'})
git('init', '-q', '-b', 'main')
git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '--allow-empty', '-m', 'chore: start')

const cases = [
  {name: 'node -e 0 (baseline)', argv: [process.execPath, '-e', '0']},
  {name: 'flow --version', argv: [process.execPath, bin, '--version']},
  {name: 'flow --help', argv: [process.execPath, bin, '--help']},
  {name: 'flow status', argv: [process.execPath, bin, 'status']},
]

const {tool, times} = measure(repo, cases, {runs, warmup: 3})
const base = median(times[0])
const rows = cases.map((c, i) => {
  const m = median(times[i])
  const spread = Math.max(...times[i]) - Math.min(...times[i])
  return {case: c.name, medianMs: Number(m.toFixed(1)), spreadMs: Number(spread.toFixed(1)), ratio: Number((m / base).toFixed(2))}
})
console.log(`startup, ${runs} runs each, ${tool}, node ${process.version}`)
console.log(`${'case'.padEnd(24)} ${'median ms'.padStart(10)} ${'spread ms'.padStart(10)} ${'× baseline'.padStart(11)}`)
for (const r of rows) console.log(`${r.case.padEnd(24)} ${String(r.medianMs).padStart(10)} ${String(r.spreadMs).padStart(10)} ${String(r.ratio).padStart(11)}`)
writeResult('startup', {tool, runs, rows})
rmSync(repo, {recursive: true, force: true})

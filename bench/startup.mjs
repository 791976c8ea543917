// npm run bench: startup of the built binary as ratios against `node -e 0`, measured in the same run.
// Uses hyperfine (Debian package) when present, else a spawnSync harness; prints a table and writes bench/out/startup.json.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin', 'run.js')
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

const quote = (a) => (/^[\w./=-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function measure() {
  const hyperfine = spawnSync('hyperfine', ['--version'], {encoding: 'utf8'})
  if (hyperfine.status === 0) {
    const out = join(repo, 'hyperfine.json')
    execFileSync('hyperfine', ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', out, ...cases.map((c) => c.argv.map(quote).join(' '))], {cwd: repo, stdio: ['ignore', 'ignore', 'inherit']})
    const {results} = JSON.parse(readFileSync(out, 'utf8'))
    return {tool: hyperfine.stdout.trim(), times: results.map((r) => r.times.map((t) => t * 1000))}
  }
  const times = cases.map((c) => {
    for (let i = 0; i < 3; i++) spawnSync(c.argv[0], c.argv.slice(1), {cwd: repo})
    return Array.from({length: runs}, () => {
      const t = process.hrtime.bigint()
      spawnSync(c.argv[0], c.argv.slice(1), {cwd: repo})
      return Number(process.hrtime.bigint() - t) / 1e6
    })
  })
  return {tool: 'spawnSync harness', times}
}

const {tool, times} = measure()
const base = median(times[0])
const rows = cases.map((c, i) => {
  const m = median(times[i])
  const spread = Math.max(...times[i]) - Math.min(...times[i])
  return {case: c.name, medianMs: Number(m.toFixed(1)), spreadMs: Number(spread.toFixed(1)), ratio: Number((m / base).toFixed(2))}
})
console.log(`startup, ${runs} runs each, ${tool}, node ${process.version}`)
console.log(`${'case'.padEnd(24)} ${'median ms'.padStart(10)} ${'spread ms'.padStart(10)} ${'× baseline'.padStart(11)}`)
for (const r of rows) console.log(`${r.case.padEnd(24)} ${String(r.medianMs).padStart(10)} ${String(r.spreadMs).padStart(10)} ${String(r.ratio).padStart(11)}`)
mkdirSync(join(root, 'bench', 'out'), {recursive: true})
writeFileSync(join(root, 'bench', 'out', 'startup.json'), `${JSON.stringify({tool, node: process.version, runs, rows}, null, 2)}\n`)
rmSync(repo, {recursive: true, force: true})

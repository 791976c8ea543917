// npm run bench (after startup.mjs): `flow release notes --all` and `flow release plan` on generated histories
// (bench/make-history N DIR, a copy of ../shared/bench/make-history, a tag every 500 commits, plus one feat commit after the last tag), as ratios
// against a bare `git log --format=%H%x00%s%x00%b` measured in the same run. hyperfine when present, else spawnSync.
// Prints a table and writes bench/out/release.json. BENCH_SIZES=10000,100000 and BENCH_RUNS=5 by default.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin', 'run.js')
const runs = Number(process.env.BENCH_RUNS ?? 5)
const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number)
const makeHistory = join(root, 'bench', 'make-history')
const scratch = mkdtempSync(join(tmpdir(), 'flow-bench-release-'))
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const quote = (a) => (/^[\w./=-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)

function measure(cwd, cases) {
  const hyperfine = spawnSync('hyperfine', ['--version'], {encoding: 'utf8'})
  if (hyperfine.status === 0) {
    const out = join(scratch, 'hyperfine.json')
    execFileSync('hyperfine', ['-N', '--warmup', '1', '--runs', String(runs), '--export-json', out, ...cases.map((c) => c.argv.map(quote).join(' '))], {cwd, stdio: ['ignore', 'ignore', 'inherit']})
    return {tool: hyperfine.stdout.trim(), times: JSON.parse(readFileSync(out, 'utf8')).results.map((r) => r.times.map((t) => t * 1000))}
  }
  const times = cases.map((c) => {
    spawnSync(c.argv[0], c.argv.slice(1), {cwd, stdio: 'ignore'})
    return Array.from({length: runs}, () => {
      const t = process.hrtime.bigint()
      spawnSync(c.argv[0], c.argv.slice(1), {cwd, stdio: 'ignore', maxBuffer: 1e9})
      return Number(process.hrtime.bigint() - t) / 1e6
    })
  })
  return {tool: 'spawnSync harness', times}
}

const results = []
let tool = ''
try {
  for (const n of sizes) {
    const dir = join(scratch, `h${n}`)
    execFileSync(makeHistory, [String(n), dir, '500'], {stdio: 'ignore'})
    execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '--allow-empty', '-m', 'feat: one more'], {cwd: dir})
    // Correctness first: every commit and every release accounted for.
    const doc = JSON.parse(execFileSync(process.execPath, [bin, 'release', 'notes', '--all', '--json'], {cwd: dir, maxBuffer: 1e9, encoding: 'utf8'}))
    const tags = execFileSync('git', ['tag', '--list'], {cwd: dir, encoding: 'utf8'}).split('\n').filter(Boolean).length
    const plan = JSON.parse(execFileSync(process.execPath, [bin, 'release', 'plan', '--json'], {cwd: dir, maxBuffer: 1e9, encoding: 'utf8'}))
    const correct = doc.commits === n + 1 && doc.accounted === n + 1 && doc.releases.length === tags + 1 && doc.outside.length === 0
    const cases = [
      {name: 'git log --format=%H%x00%s%x00%b (baseline)', argv: ['git', 'log', '--format=%H%x00%s%x00%b']},
      {name: 'flow release notes --all', argv: [process.execPath, bin, 'release', 'notes', '--all']},
      {name: 'flow release plan', argv: [process.execPath, bin, 'release', 'plan']},
    ]
    const measured = measure(dir, cases)
    tool = measured.tool
    const base = median(measured.times[0])
    const rows = cases.map((c, i) => ({case: c.name, medianMs: Number(median(measured.times[i]).toFixed(1)), ratio: Number((median(measured.times[i]) / base).toFixed(2))}))
    results.push({commits: n + 1, tags, correct, releases: doc.releases.length, nextVersion: plan.version, lastTag: plan.lastTag, rows})
    console.log(`\n${n + 1} commits, ${tags} tags: notes --all ${correct ? 'correct' : 'WRONG'} (${doc.commits} commits, ${doc.releases.length} releases); plan: ${plan.lastTag} → ${plan.tag}`)
    console.log(`${'case'.padEnd(44)} ${'median ms'.padStart(10)} ${'× baseline'.padStart(11)}`)
    for (const r of rows) console.log(`${r.case.padEnd(44)} ${String(r.medianMs).padStart(10)} ${String(r.ratio).padStart(11)}`)
    rmSync(dir, {recursive: true, force: true})
  }
} finally {
  rmSync(scratch, {recursive: true, force: true})
}
mkdirSync(join(root, 'bench', 'out'), {recursive: true})
writeFileSync(join(root, 'bench', 'out', 'release.json'), `${JSON.stringify({tool, node: process.version, runs, results}, null, 2)}\n`)
if (results.some((r) => !r.correct)) process.exit(1)

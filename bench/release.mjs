// npm run bench (after startup.mjs): `flow release notes --all` and `flow release plan` on generated histories
// (bench/make-history N DIR, a copy of ../shared/bench/make-history, a tag every 500 commits, plus one feat commit after the last tag), as ratios
// against a bare `git log --format=%H%x00%s%x00%b` measured in the same run. hyperfine when present, else spawnSync.
// Prints a table and writes bench/out/release.json. BENCH_SIZES=10000,100000 and BENCH_RUNS=5 by default.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bin, measure, median, root, writeResult} from './common.mjs'

const runs = Number(process.env.BENCH_RUNS ?? 5)
const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number)
const makeHistory = join(root, 'bench', 'make-history')
const scratch = mkdtempSync(join(tmpdir(), 'flow-bench-release-'))
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
    const measured = measure(dir, cases, {runs, warmup: 1, scratch})
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
writeResult('release', {tool, runs, results})
if (results.some((r) => !r.correct)) process.exit(1)

// flow metrics dora over 100,000 deployment events (50,000 deployments × created + finished, 500 incidents) on a
// 20,000-commit history, timing the built binary end to end: the first run (no cache), then the median of warm runs
// (facts cached for the records tip). Target: under 2 s. Writes bench/out/metrics.json.
// The records branch is written with git fast-import in the store's layout (one file per event).
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bin, measure, median, root, writeResult} from './common.mjs'

const runs = Number(process.env.BENCH_RUNS ?? 5)
const COMMITS = 20_000
const DEPLOYMENTS = 50_000
const scratch = mkdtempSync(join(tmpdir(), 'flow-bench-metrics-'))
const repo = join(scratch, 'repo')
execFileSync(join(root, 'bench', 'make-history'), [String(COMMITS), repo, '1000000'], {stdio: 'ignore'})
execFileSync('git', ['config', 'user.name', 'Bench'], {cwd: repo})
execFileSync('git', ['config', 'user.email', 'bench@example.com'], {cwd: repo})
const shas = execFileSync('git', ['rev-list', '--reverse', 'main'], {cwd: repo, encoding: 'utf8', maxBuffer: 1e9}).trim().split('\n')
const commitTime = (i) => (1700000000 + (i + 1) * 60) * 1000

const {eventPath} = await import(join(root, 'dist', 'core', 'records', 'layout.js'))
const {ulidFactory} = await import(join(root, 'dist', 'core', 'ids.js'))
let now = 0
const ids = ulidFactory({now: () => new Date(now)})
const files = []
const event = (collection, id, type, at, data) => {
  now = Date.parse(at)
  const ulid = ids.ulid()
  files.push([eventPath(collection, id, ulid), `${JSON.stringify({id: ulid, type, at, actor: 'bench@example.com', data}, null, 2)}\n`])
  return ulid
}
for (let j = 0; j < DEPLOYMENTS; j++) {
  const c = Math.min(COMMITS - 1, Math.floor((j * COMMITS) / DEPLOYMENTS) + 1)
  const startedAt = new Date(commitTime(c) + 20 * 60_000).toISOString()
  const finishedAt = new Date(commitTime(c) + 26 * 60_000).toISOString()
  const id = `DEP-${j + 1}`
  const kind = j % 97 === 0 ? 'rollback' : j % 50 === 7 ? 'hotfix' : 'deploy'
  const root = event('deployments', id, 'created', startedAt, {environment: 'production', services: ['web'], sha: shas[c], ref: shas[c], kind})
  event('deployments', id, 'finished', finishedAt, {root, outcome: j % 20 === 3 ? 'rolled_back' : 'success'})
}
for (let k = 0; k < 500; k++) {
  const j = k * 100 + 5
  const at = new Date(commitTime(Math.floor((j * COMMITS) / DEPLOYMENTS)) + 40 * 60_000).toISOString()
  const root = event('incidents', `INC-${k + 1}`, 'declared', at, {title: `Incident ${k}`, severity: 'sev2', services: ['web'], environments: ['production'], drill: k % 10 === 0})
  if (k % 2) event('incidents', `INC-${k + 1}`, 'cause', new Date(Date.parse(at) + 60_000).toISOString(), {root, deployment: `DEP-${j + 1}`})
  event('incidents', `INC-${k + 1}`, 'resolved', new Date(Date.parse(at) + 3_600_000).toISOString(), {root})
}
const incidentEvents = files.filter(([path]) => path.startsWith('incidents/')).length
const chunks = [`commit refs/heads/flow/records\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata 8\nrecords\n`]
for (const [path, content] of files) chunks.push(`M 644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`)
execFileSync('git', ['fast-import', '--quiet'], {cwd: repo, input: chunks.join(''), maxBuffer: 1e9})
execFileSync('git', ['gc', '-q'], {cwd: repo})

const since = new Date(commitTime(0)).toISOString()
const until = new Date(commitTime(COMMITS) + 3_600_000).toISOString()
const argv = [process.execPath, bin, 'metrics', 'dora', '--since', since, '--until', until, '--json']
// Cold: no cache (the record store read and fold dominate); then warm runs reuse the facts folded for this records tip.
const coldStart = process.hrtime.bigint()
const check = spawnSync(argv[0], argv.slice(1), {cwd: repo, encoding: 'utf8', maxBuffer: 1e9})
const cold = Number(process.hrtime.bigint() - coldStart) / 1e6
if (check.status !== 0) throw new Error(`flow metrics dora failed: ${check.stderr}`)
const report = JSON.parse(check.stdout)
const {tool, times} = measure(repo, [{argv}, {argv: [process.execPath, bin, '--version']}], {runs, warmup: 1, scratch})
const [dora, startup] = times.map(median)
console.log(`flow metrics dora over ${files.length - incidentEvents} deployment events (${DEPLOYMENTS} deployments, ${COMMITS} commits): median ${Math.round(dora)} ms with the facts cache (${tool}, ${runs} runs; target < 2000 ms)`)
console.log(`  first run (no cache: reads and folds every event): ${Math.round(cold)} ms`)
console.log(`  flow --version (startup, same run): ${Math.round(startup)} ms; ratio ${(dora / startup).toFixed(1)}×`)
console.log(`  figures: ${report.deploymentFrequency.successful} successful, lead time sample ${report.leadTime.sample} commits, change failure rate ${report.changeFailureRate.rate}`)
writeResult('metrics', {tool, runs, events: files.length - incidentEvents, deployments: DEPLOYMENTS, commits: COMMITS, medianMs: dora, coldMs: cold, startupMs: startup, withinTarget: dora < 2000})
if (process.env.BENCH_KEEP) console.log(`  kept ${repo}`)
else execFileSync('rm', ['-rf', scratch])

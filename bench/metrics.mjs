// flow metrics dora over 100,000 deployment events (50,000 deployments × created + finished, 500 incidents) on a
// 20,000-commit history, timing the built binary end to end. Two cases: a first run (the facts cache removed before
// each run, so the record store is read and folded every time; budget under 2 s, the target) and a warm run
// (facts cached for the records tip). The records branch is written with git fast-import in the store's layout.
// The repository is generated once into bench/.cache/metrics-100k (BENCH_FRESH=1 rebuilds it).
import {execFileSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {bin, cachedRepo, measure, node, root, row} from './common.mjs'

export const name = 'metrics'

const COMMITS = 20_000
const DEPLOYMENTS = 50_000
const commitTime = (i) => (1700000000 + (i + 1) * 60) * 1000

const {eventPath} = await import(join(root, 'dist', 'core', 'records', 'layout.js'))
const {ulidFactory} = await import(join(root, 'dist', 'core', 'ids.js'))

function build(repo) {
  execFileSync(join(root, 'bench', 'make-history'), [String(COMMITS), repo, '1000000'], {stdio: 'ignore'})
  execFileSync('git', ['config', 'user.name', 'Bench'], {cwd: repo})
  execFileSync('git', ['config', 'user.email', 'bench@example.com'], {cwd: repo})
  const shas = execFileSync('git', ['rev-list', '--reverse', 'main'], {cwd: repo, encoding: 'utf8', maxBuffer: 1e9}).trim().split('\n')

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
    const first = event('deployments', id, 'created', startedAt, {environment: 'production', services: ['web'], sha: shas[c], ref: shas[c], kind})
    event('deployments', id, 'finished', finishedAt, {root: first, outcome: j % 20 === 3 ? 'rolled_back' : 'success'})
  }
  for (let k = 0; k < 500; k++) {
    const j = k * 100 + 5
    const at = new Date(commitTime(Math.floor((j * COMMITS) / DEPLOYMENTS)) + 40 * 60_000).toISOString()
    const first = event('incidents', `INC-${k + 1}`, 'declared', at, {title: `Incident ${k}`, severity: 'sev2', services: ['web'], environments: ['production'], drill: k % 10 === 0})
    if (k % 2) event('incidents', `INC-${k + 1}`, 'cause', new Date(Date.parse(at) + 60_000).toISOString(), {root: first, deployment: `DEP-${j + 1}`})
    event('incidents', `INC-${k + 1}`, 'resolved', new Date(Date.parse(at) + 3_600_000).toISOString(), {root: first})
  }
  const chunks = [`commit refs/heads/flow/records\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata 8\nrecords\n`]
  for (const [path, content] of files) chunks.push(`M 644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`)
  execFileSync('git', ['fast-import', '--quiet'], {cwd: repo, input: chunks.join(''), maxBuffer: 1e9})
  execFileSync('git', ['gc', '-q'], {cwd: repo})
}

export async function run({runs}) {
  const repo = cachedRepo('metrics-100k', build)
  const since = new Date(commitTime(0)).toISOString()
  const until = new Date(commitTime(COMMITS) + 3_600_000).toISOString()
  const argv = [node, bin, 'metrics', 'dora', '--since', since, '--until', until, '--json']
  const n = Math.max(3, Math.round(runs / 4))
  const cacheDir = join(repo, '.git', 'flow', 'cache')
  // First runs: the facts cache removed before each, as on the first `flow metrics dora` after new records arrive.
  const cold = []
  for (let i = 0; i < n; i++) {
    rmSync(cacheDir, {recursive: true, force: true})
    const {times} = measure(repo, [{argv}], {runs: 1, warmup: 0, rounds: 1})
    cold.push(times[0][0])
  }
  const {tool, times} = measure(repo, [{argv}], {runs: n, warmup: 1})
  return {
    tool,
    rows: [
      row(name, `flow metrics dora, 100k deployment events, first run (no facts cache)`, cold, {budget: {ms: 2000, text: '< 2000 ms'}}),
      row(name, `flow metrics dora, 100k deployment events, facts cached`, times[0]),
    ],
  }
}

// The record store: 100,000 deployment events (25,000 deployments of 4 events each) on flow/records, read the
// way the read models (`deploymentFacts`-style readers) read them: `store.collection('deployments')` on the real
// GitRecordStore (one ls-tree, one cat-file --batch), then `foldEvents` per record into a deployment fact.
// In process, from dist/ (no CLI startup). Budget: under 1 s.
// `flow metrics dora` over 100,000 deployment events is bench/metrics.mjs.
import {execFileSync} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {cachedRepo, git, measureInProcess, root, row} from './common.mjs'

export const name = 'records'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100000)
const PER_RECORD = 4
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const T0 = Date.parse('2025-01-01T00:00:00Z')

/** A ULID for time t (ms) with a counter as its random part: sortable like the store's ids. */
function ulid(t, n) {
  let time = ''
  for (let i = 0, x = t; i < 10; i++, x = Math.floor(x / 32)) time = CROCKFORD[x % 32] + time
  let rand = ''
  for (let i = 0, x = n; i < 16; i++, x = Math.floor(x / 32)) rand = CROCKFORD[x % 32] + rand
  return time + rand
}

/** The k-th event (0..3) of deployment d. */
function deploymentEvent(d, k) {
  const at = T0 + d * 3_600_000 + k * 60_000
  const types = ['deployment.started', 'deployment.health', 'deployment.health', d % 10 === 0 ? 'deployment.failed' : 'deployment.succeeded']
  const data = k === 0
    ? {environment: ['staging', 'production'][d % 2], services: ['api'], sha: (d * 2654435761 % 2 ** 32).toString(16).padStart(40, '0'), kind: 'deploy'}
    : k < 3 ? {ok: k === 1 || d % 10 !== 0, detail: `check ${k}`} : {}
  const id = ulid(at, d * PER_RECORD + k)
  return {path: `deployments/DEP-${d + 1}/events/${id}.json`, event: {id, type: types[k], at: new Date(at).toISOString(), actor: 'bench@example.com', data}}
}

function buildRepo(dir) {
  mkdirSync(dir, {recursive: true})
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'chore: start')
  let stream = `commit refs/heads/flow/records\ncommitter Bench <bench@example.com> ${Math.floor(T0 / 1000)} +0000\ndata 19\nflow: bench events\n`
  const parts = [stream]
  for (let d = 0; d < EVENTS / PER_RECORD; d++) {
    for (let k = 0; k < PER_RECORD; k++) {
      const {path, event} = deploymentEvent(d, k)
      const content = `${JSON.stringify(event, null, 2)}\n`
      parts.push(`M 644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`)
    }
  }
  stream = parts.join('')
  execFileSync('git', ['fast-import', '--quiet'], {cwd: dir, input: stream, maxBuffer: 1e9})
}

/** What a deployment-facts reader does with a record's events (the shape of DeploymentFact, src/core/records/facts.ts). */
function reduceDeployment(state, event) {
  switch (event.type) {
    case 'deployment.started': return {...state, ...event.data, startedAt: event.at, outcome: 'in_progress'}
    case 'deployment.health': return {...state, health: [...state.health, {at: event.at, ok: event.data.ok, detail: event.data.detail}]}
    case 'deployment.succeeded': return {...state, outcome: 'success', finishedAt: event.at}
    case 'deployment.failed': return {...state, outcome: 'failed', finishedAt: event.at}
    default: return state
  }
}

export async function run({runs}) {
  const dir = cachedRepo(`records-${EVENTS}`, buildRepo)
  const {GitRecordStore} = await import(join(root, 'dist', 'providers', 'git-record-store.js'))
  const {GitCli} = await import(join(root, 'dist', 'providers', 'git-cli.js'))
  const {systemClock, ulidFactory} = await import(join(root, 'dist', 'core', 'ids.js'))
  const {foldEvents} = await import(join(root, 'dist', 'core', 'records', 'fold.js'))
  let count = 0
  let facts = 0
  const readAndFold = async () => {
    const store = new GitRecordStore(new GitCli(dir, process.env), systemClock, ulidFactory(systemClock))
    const records = await store.collection('deployments')
    count = 0
    const out = []
    for (const [id, events] of records) {
      count += events.length
      out.push(foldEvents(events, reduceDeployment, {id, health: []}))
    }
    facts = out.length
  }
  const times = await measureInProcess(readAndFold, Math.max(3, Math.round(runs / 4)))
  if (count !== EVENTS) throw new Error(`read ${count} events, expected ${EVENTS}`)
  const rows = [row(name, `read + fold ${EVENTS} events (${facts} deployments), store.collection + foldEvents`, times, {budget: {ms: 1000, text: '< 1000 ms'}})]
  return {tool: 'in process', rows}
}

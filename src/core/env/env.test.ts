import {describe, expect, test} from 'vitest'
import {MemoryRecordStore} from '../../../test/helpers/memory-record-store.js'
import {FlowConfigSchema} from '../config/schema.js'
import type {RecordEvent} from '../ports.js'
import {DEPLOYMENTS_COLLECTION} from '../records/facts.js'
import type {StepSpec} from '../../engine/types.js'
import {commandEnv, fillArgv, fillUrl, type CommandValues} from './commands.js'
import {deploymentFacts, deploymentRecords, foldLock, liveDeployment} from './facts.js'
import {judgeResponse, jsonPath} from './health.js'
import {buildDeploySteps} from './plan.js'
import {deployRefusals} from './policy.js'

const config = (environments: Record<string, unknown>, extra: Record<string, unknown> = {}) => FlowConfigSchema.parse({version: 1, environments, ...extra})

describe('commands', () => {
  test('placeholders are filled inside argv elements, each value staying one argument', () => {
    const values = {environment: 'prod', sha: 'abc', ref: 'main', previousSha: 'def', version: '1.2.0', percent: 10}
    expect(fillArgv(['deploy.sh', '{sha}', '--env={environment}', '{previous_sha}', '{percent}%', '{unknown}'], values)).toEqual(['deploy.sh', 'abc', '--env=prod', 'def', '10%', '{unknown}'])
    expect(fillArgv(['x', '{sha}'], {...values, sha: '$(rm -rf /) `x`'})).toEqual(['x', '$(rm -rf /) `x`'])
    expect(fillUrl('http://h/{color}/health?v={version}', {...values, color: 'a b'})).toBe('http://h/a%20b/health?v=1.2.0')
    expect(commandEnv(values, {TEAM: 'x'})).toMatchObject({TEAM: 'x', FLOW_ENV: 'prod', FLOW_SHA: 'abc', FLOW_PREVIOUS_SHA: 'def', FLOW_VERSION: '1.2.0', FLOW_PERCENT: '10'})
  })
})

describe('health', () => {
  const check = (extra: Record<string, unknown> = {}) => {
    const parsed = config({e: {health: {url: 'http://x/health', ...extra}}}).environments.e!.health!
    if (!('url' in parsed)) throw new Error('not a url check')
    return parsed
  }
  test('status, JSON path, body text and latency', () => {
    expect(jsonPath({a: {b: [{c: 1}]}}, 'a.b.0.c')).toBe(1)
    expect(jsonPath({a: 1}, 'a.b')).toBeUndefined()
    expect(judgeResponse(check(), {status: 200, body: '', latencyMs: 5})).toBeUndefined()
    expect(judgeResponse(check(), {status: 503, body: '', latencyMs: 5})).toBe('HTTP 503 (expected 200)')
    expect(judgeResponse(check({expect: {status: [200, 204]}}), {status: 204, body: '', latencyMs: 5})).toBeUndefined()
    const json = check({expect: {json: {'checks.db': 'ok', ready: true}}})
    expect(judgeResponse(json, {status: 200, body: '{"checks":{"db":"ok"},"ready":true}', latencyMs: 1})).toBeUndefined()
    expect(judgeResponse(json, {status: 200, body: '{"checks":{"db":"down"},"ready":true}', latencyMs: 1})).toBe('checks.db is "down" (expected "ok")')
    expect(judgeResponse(json, {status: 200, body: 'not json', latencyMs: 1})).toBe('body is not JSON')
    expect(judgeResponse(check({expect: {contains: 'v1.2'}}), {status: 200, body: 'running v1.1', latencyMs: 1})).toBe('body lacks "v1.2"')
    expect(judgeResponse(check({latency: '200ms'}), {status: 200, body: '', latencyMs: 350})).toBe('slow: 350 ms (limit 200ms)')
  })
})

const event = (id: string, type: string, data: Record<string, unknown>, at = '2026-01-01T00:00:00.000Z', actor?: string): RecordEvent => ({id: id.padStart(26, '0'), type, at, data, ...(actor ? {actor} : {})})

function seed(store: MemoryRecordStore, records: Record<string, RecordEvent[]>) {
  store.data.set(DEPLOYMENTS_COLLECTION, new Map(Object.entries(records)))
}

describe('deploymentFacts', () => {
  test('folds kind, outcome, rollbackOf/rolledBackBy, break-glass, change id, services and every health sample', async () => {
    const store = new MemoryRecordStore()
    seed(store, {
      'DEP-1': [event('1', 'created', {sha: 'a', ref: 'main', environment: 'prod', kind: 'deploy', services: ['api'], version: '1.0.0', changeId: 'CHG-2'}, '2026-01-01T00:00:00.000Z', 'ann@x'),
        event('2', 'health', {root: '1'.padStart(26, '0'), samples: [{at: 't1', ok: true}]}), event('3', 'finished', {outcome: 'success'}, '2026-01-01T00:01:00.000Z')],
      'DEP-2': [event('4', 'created', {sha: 'b', environment: 'prod', kind: 'deploy', previousSha: 'a', breakGlass: {reason: 'INC-1', overrode: ['FREEZE']}}),
        event('5', 'health', {samples: [{at: 't2', ok: false, detail: 'HTTP 500'}]}), event('8', 'finished', {outcome: 'rolled_back', rolledBackBy: 'DEP-3'})],
      'DEP-3': [event('6', 'created', {sha: 'a', environment: 'prod', kind: 'rollback', rollbackOf: 'DEP-2'}), event('7', 'finished', {outcome: 'success'})],
      'DEP-4': [event('9', 'created', {sha: 'c', environment: 'prod', kind: 'deploy'})],
      'LOCK-prod': [event('10', 'locked', {reason: 'incident'}, 't', 'bob@x')],
    })
    const facts = await deploymentFacts(store)
    expect(facts).toEqual([
      {id: 'DEP-1', environment: 'prod', services: ['api'], sha: 'a', version: '1.0.0', kind: 'deploy', outcome: 'success', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z', changeId: 'CHG-2', actor: 'ann@x', health: [{at: 't1', ok: true}]},
      expect.objectContaining({id: 'DEP-2', previousSha: 'a', outcome: 'rolled_back', rolledBackBy: 'DEP-3', breakGlass: {reason: 'INC-1', overrode: ['FREEZE']}, health: [{at: 't2', ok: false, detail: 'HTTP 500'}]}),
      expect.objectContaining({id: 'DEP-3', kind: 'rollback', rollbackOf: 'DEP-2', outcome: 'success'}),
      expect.objectContaining({id: 'DEP-4', outcome: 'in_progress', health: []}),
    ])
    expect(Object.keys(facts[3]!).sort()).toEqual(['environment', 'health', 'id', 'kind', 'outcome', 'services', 'sha', 'startedAt'])
    expect(liveDeployment(await deploymentRecords(store), 'prod')?.id).toBe('DEP-3')
    expect(foldLock(store.data.get(DEPLOYMENTS_COLLECTION)!.get('LOCK-prod')!)).toMatchObject({locked: true, reason: 'incident', by: 'bob@x'})
  })

  test('two clones that both recorded DEP-1 offline get DEP-1 and DEP-2, the same on every clone', async () => {
    const store = new MemoryRecordStore()
    seed(store, {
      'DEP-1': [event('1', 'created', {sha: 'a', environment: 'prod'}), event('2', 'created', {sha: 'b', environment: 'prod'}), event('3', 'finished', {outcome: 'success', root: '2'.padStart(26, '0')})],
    })
    const facts = await deploymentFacts(store)
    expect(facts.map((f) => `${f.id} ${f.sha} ${f.outcome}`)).toEqual(['DEP-1 a in_progress', 'DEP-2 b success'])
  })

  test('100k events (20k deployments) fold in well under a second', async () => {
    const store = new MemoryRecordStore()
    const records: Record<string, RecordEvent[]> = {}
    let n = 0
    const id = () => String(++n).padStart(26, '0')
    for (let i = 1; i <= 20_000; i++) {
      const root = id()
      records[`DEP-${i}`] = [
        {id: root, type: 'created', at: '2026-01-01T00:00:00.000Z', data: {sha: `s${i}`, environment: i % 2 ? 'prod' : 'staging', kind: 'deploy', services: ['api']}},
        {id: id(), type: 'status', at: '2026-01-01T00:00:01.000Z', data: {state: 'in_progress', root}},
        {id: id(), type: 'health', at: '2026-01-01T00:00:02.000Z', data: {root, samples: [{at: 'x', ok: true}]}},
        {id: id(), type: 'status', at: '2026-01-01T00:00:03.000Z', data: {state: 'success', root}},
        {id: id(), type: 'finished', at: '2026-01-01T00:00:03.000Z', data: {outcome: 'success', root}},
      ]
    }
    seed(store, records)
    // The memory store deep-copies on every read; the git store does not, so time the fold alone.
    const data = store.data.get(DEPLOYMENTS_COLLECTION)!
    store.collection = async () => data
    const started = performance.now()
    const facts = await deploymentFacts(store)
    const ms = performance.now() - started
    expect(facts).toHaveLength(20_000)
    expect(ms).toBeLessThan(1000)
  })
})

describe('policy and plan', () => {
  const envs = {
    staging: {deploy: ['d', '{sha}'], health: {url: 'http://x'}},
    production: {deploy: ['d', '{sha}'], after: 'staging', approvals: 1, freeze: ['2026-12-20..2027-01-04'], strategy: {canary: {weight: ['w', '{percent}'], steps: [25, 100], pause: '1s'}}, rollback: ['r', '{previous_sha}'], health: {url: 'http://x'}},
  }
  test('every reason at once, as {code, message}', () => {
    const c = config(envs, {changes: {freeze: ['cron: 0 0 * * * for 1h']}})
    const reasons = deployRefusals({config: c, environment: 'production', sha: 'abcdef123', at: new Date('2026-12-24T12:00:00Z'), deployments: [], lockEvents: [event('1', 'locked', {reason: 'INC-3'})], approvalEvents: [event('2', 'approved', {sha: 'abcdef123'}, 't', 'me@x')], actor: 'me@x', failedGates: ['test']})
    expect(reasons.map((r) => r.code)).toEqual(['FREEZE', 'LOCKED', 'APPROVALS', 'PROMOTION_ORDER', 'GATES'])
    expect(reasons[2]!.message).toBe('abcdef1 has 0 of 1 approval(s) needed for production')
    expect(deployRefusals({config: c, environment: 'staging', sha: 'a', at: new Date('2026-06-01T12:00:00Z'), deployments: [], lockEvents: [], approvalEvents: []})).toEqual([])
    expect(deployRefusals({config: c, environment: 'staging', sha: 'a', at: new Date('2026-06-01T00:30:00Z'), deployments: [], lockEvents: [], approvalEvents: []}).map((r) => r.code)).toEqual(['FREEZE'])
  })

  test('a canary plan: weights with checks, then abort steps that run only on failure; changeId is carried', () => {
    const {steps, deployment} = buildDeploySteps(config(envs), {environment: 'production', sha: 'b'.repeat(40), ref: 'main', kind: 'deploy', token: 'T', previous: {sha: 'a'.repeat(40), deployment: 'DEP-1'}, changeId: 'CHG-7'})
    expect(deployment).toMatchObject({changeId: 'CHG-7', strategy: 'canary', previousSha: 'a'.repeat(40), production: true})
    expect(steps.map((s) => `${s.kind}:${(s.input as {when?: string}).when ?? ''}:${(s.input as {purpose?: string; phase?: string}).purpose ?? (s.input as {phase?: string}).phase ?? ''}`)).toEqual([
      'env.begin:always:', 'env.command:always:deploy', 'env.command:ok:weight', 'env.verify:ok:canary 25%', 'env.command:ok:weight', 'env.verify:ok:canary 100%',
      'env.begin:rollback:', 'env.command:rollback:weight', 'env.command:rollback:rollback', 'env.verify:rollback:rollback', 'env.finish::',
    ])
    expect((steps[3]!.input as {delayMs: number}).delayMs).toBe(1000)
    expect((steps[7]!.input as {values: {percent: number}}).values.percent).toBe(0)
  })

  test('a rolling plan in batches: the deploy command once per batch with {batch}/{batches}, a check after each, the pause before each later batch; rollback batch by batch', () => {
    const rolling = (r: Record<string, unknown>) => ({staging: {deploy: ['d', '{sha}', '{batch}', '{batches}'], health: {command: ['c', '{batch}']}, strategy: {rolling: r}}})
    const input = {environment: 'staging', sha: 'b'.repeat(40), ref: 'main', kind: 'deploy' as const, token: 'T', previous: {sha: 'a'.repeat(40), deployment: 'DEP-1'}}
    const {steps} = buildDeploySteps(config(rolling({batch: '40%', pause: '2s'})), input)
    const shape = (x: StepSpec) => {
      const i = x.input as {when?: string; purpose?: string; phase?: string; delayMs?: number; values?: {batch?: number; batches?: number}}
      return `${x.kind}:${i.when ?? ''}:${i.purpose ?? i.phase ?? ''}:${i.values?.batch ?? ''}/${i.values?.batches ?? ''}${i.delayMs ? `+${i.delayMs}` : ''}`
    }
    expect(steps.map(shape)).toEqual([
      'env.begin:always::/', 'env.command:always:deploy:1/3', 'env.verify:ok:batch 1/3:1/3', 'env.command:ok:deploy:2/3+2000', 'env.verify:ok:batch 2/3:2/3', 'env.command:ok:deploy:3/3+2000', 'env.verify:ok:batch 3/3:3/3',
      'env.begin:rollback::/', 'env.command:rollback:deploy:1/3', 'env.verify:rollback:rollback batch 1/3:1/3', 'env.command:rollback:deploy:2/3', 'env.verify:rollback:rollback batch 2/3:2/3', 'env.command:rollback:deploy:3/3', 'env.verify:rollback:rollback batch 3/3:3/3', 'env.finish:::/',
    ])
    expect((steps[8]!.input as {values: {sha: string}}).values.sha).toBe('a'.repeat(40))
    expect(fillArgv(['d', '{sha}', '{batch}', '{batches}'], (steps[3]!.input as {values: CommandValues}).values)).toEqual(['d', 'b'.repeat(40), '2', '3'])
    expect(commandEnv((steps[3]!.input as {values: CommandValues}).values)).toMatchObject({FLOW_BATCH: '2', FLOW_BATCHES: '3'})
    // A number of instances at a time needs to know how many there are; one at a time without it is a single deploy.
    expect(buildDeploySteps(config(rolling({batch: 2, instances: 5})), input).steps.filter((x) => x.kind === 'env.command' && (x.input as {role: string}).role === 'main')).toHaveLength(3)
    expect(buildDeploySteps(config(rolling({})), input).steps.map(shape).slice(0, 3)).toEqual(['env.begin:always::/', 'env.command:always:deploy:/', 'env.verify:ok:deploy:/'])
    expect(() => config(rolling({batch: 2}))).toThrow(/instances: \(how many there are\) with a batch of more than 1 instance/)
    expect(() => config(rolling({batch: '0%'}))).toThrow(/a batch percentage between 1% and 100%/)
    // With a rollback command, the rollback is one command for the whole environment.
    const withRollback = config({staging: {...rolling({batch: '50%'}).staging, rollback: ['r', '{previous_sha}']}})
    expect(buildDeploySteps(withRollback, input).steps.map(shape).slice(5)).toEqual(['env.begin:rollback::/', 'env.command:rollback:rollback:/', 'env.verify:rollback:rollback:/', 'env.finish:::/'])
  })
})

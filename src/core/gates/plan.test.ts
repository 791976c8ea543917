import {describe, expect, test} from 'vitest'
import {FlowConfigSchema} from '../config/schema.js'
import {gateLevels, planGates, topoOrder} from './plan.js'

const config = FlowConfigSchema.parse({
  gates: {
    build: {run: ['npm', 'run', 'build']},
    lint: {run: 'npm run lint'},
    test: {run: ['npm', 'test'], needs: ['build']},
    e2e: {run: ['npm', 'run', 'e2e'], needs: ['build', 'test']},
    docs: {run: ['true']},
  },
  stages: {submit: ['lint', 'e2e'], 'pre-push': ['lint'], custom: ['docs']},
})

describe('planGates', () => {
  test('a stage brings in what its gates need, transitively, needs first', () => {
    const plan = planGates(config, {stage: 'submit'})
    expect(plan.order).toEqual(['build', 'lint', 'test', 'e2e'])
    expect(plan.needs).toEqual({lint: [], e2e: ['build', 'test'], build: [], test: ['build']})
    expect(plan.stage).toBe('submit')
  })

  test('the default stage is submit', () => {
    expect(planGates(config, {}).order).toEqual(['build', 'lint', 'test', 'e2e'])
  })

  test('--only runs exactly the named gates, ordered by the needs among them', () => {
    const plan = planGates(config, {only: ['e2e', 'test']})
    expect(plan.order).toEqual(['test', 'e2e'])
    expect(plan.needs).toEqual({e2e: ['test'], test: []})
  })

  test('a known stage left out of flow.yml runs nothing; an unknown one is a usage error naming the stages', () => {
    expect(planGates(config, {stage: 'pre-commit'}).order).toEqual([])
    expect(() => planGates(config, {stage: 'nope'})).toThrow(/no stage named nope/)
    expect(() => planGates(config, {only: ['tset']})).toThrow(/no gate named tset/)
  })
})

describe('topoOrder and gateLevels', () => {
  test('deterministic order and depth', () => {
    const needs = {c: ['a', 'b'], a: [], b: ['a'], d: []}
    expect(topoOrder(needs)).toEqual(['a', 'd', 'b', 'c'])
    expect(gateLevels(needs)).toEqual({a: 0, d: 0, b: 1, c: 2})
  })

  test('a cycle throws', () => {
    expect(() => topoOrder({a: ['b'], b: ['a']})).toThrow(/cycle among a, b/)
  })
})

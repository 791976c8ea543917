import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {FlowConfigSchema} from '../config/schema.js'
import {changeControlOn, expectedStatusChecks} from './check-compliance.js'

let dir: string
afterEach(() => rmSync(dir, {recursive: true, force: true}))
const write = (name: string, text: string) => {
  mkdirSync(join(dir, name, '..'), {recursive: true})
  writeFileSync(join(dir, name), text)
  return join(dir, name)
}

describe('changeControlOn', () => {
  test('on only when flow.yml writes a changes section with templates or approvals', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flow-compliance-'))
    const check = async (yml: string) => changeControlOn(write('flow.yml', yml), FlowConfigSchema.parse((await import('../yaml.js')).parse(yml) ?? {}))
    expect(await check('review: {approvals: 1}\n')).toBe(false)
    expect(await check('changes: {}\n')).toBe(false)
    expect(await check('changes: {freeze: []}\n')).toBe(true)
    expect(await check('changes: {types: {standard: {approvals: 0}, normal: {approvals: 0}, emergency: {approvals: 0}}}\n')).toBe(false)
    expect(await check('changes: {types: {normal: {approvals: 0}, standard: {approvals: 0}, emergency: {approvals: 0}}, templates: {deps: {type: standard}}}\n')).toBe(true)
    expect(await changeControlOn(undefined, FlowConfigSchema.parse({}))).toBe(false)
  })
})

describe('expectedStatusChecks', () => {
  const config = FlowConfigSchema.parse({gates: {lint: {run: 'x'}, soft: {run: 'y', optional: true}, 'odd name': {run: 'z'}}, stages: {submit: ['lint', 'soft', 'odd name']}})

  test('without a workflow: the job names flow ci generate would write, leaving out optional gates', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flow-compliance-'))
    expect(await expectedStatusChecks(dir, config)).toEqual(['lint', 'odd name'])
    expect(await expectedStatusChecks(dir, FlowConfigSchema.parse({}))).toEqual([])
  })

  test('with a committed workflow: its jobs, by name or id', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flow-compliance-'))
    write('.github/workflows/flow.yml', 'jobs:\n  gates: {name: "flow gates: submit", runs-on: x, steps: []}\n  extra: {runs-on: x, steps: []}\n  flaky: {runs-on: x, continue-on-error: true, steps: []}\n')
    expect(await expectedStatusChecks(dir, config)).toEqual(['flow gates: submit', 'extra'])
  })
})

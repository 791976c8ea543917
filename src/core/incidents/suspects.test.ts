import {describe, expect, test} from 'vitest'
import {parseCodeowners} from '../codeowners.js'
import type {DeploymentFact} from '../records/facts.js'
import {selectSuspects, withOwners} from './suspects.js'

const dep = (id: string, environment: string, startedAt: string, more: Partial<DeploymentFact> = {}): DeploymentFact => ({
  id, environment, services: ['web'], sha: `${id.toLowerCase()}sha`, kind: 'deploy', outcome: 'success', startedAt: `2026-03-01T${startedAt}:00.000Z`, health: [], ...more,
})

const deployments = [
  dep('DEP-1', 'production', '01:00', {previousSha: 'p0'}),
  dep('DEP-2', 'staging', '09:00'),
  dep('DEP-3', 'production', '09:10', {previousSha: 'p2', services: ['api']}),
  dep('DEP-4', 'production', '09:30', {previousSha: 'p3'}),
  dep('DEP-5', 'production', '10:30'),
]

describe('selectSuspects', () => {
  test('deployments to the environments within the window before the impact, up to the declaration, newest first', () => {
    const suspects = selectSuspects(deployments, {environments: ['production'], services: [], from: '2026-03-01T09:45:00Z', until: '2026-03-01T10:00:00Z', windowHours: 4})
    expect(suspects.map((s) => s.deployment)).toEqual(['DEP-4', 'DEP-3'])
    expect(suspects[0]).toEqual({label: 'suspect', deployment: 'DEP-4', environment: 'production', services: ['web'], sha: 'dep-4sha', previousSha: 'p3', range: 'p3..dep-4sha', startedAt: '2026-03-01T09:30:00.000Z', outcome: 'success', kind: 'deploy', owners: []})
  })

  test('services narrow the deployments; with neither environments nor services every environment counts', () => {
    const window = {from: '2026-03-01T09:45:00Z', until: '2026-03-01T10:00:00Z', windowHours: 4}
    expect(selectSuspects(deployments, {environments: ['production'], services: ['web'], ...window}).map((s) => s.deployment)).toEqual(['DEP-4'])
    expect(selectSuspects(deployments, {environments: [], services: [], ...window}).map((s) => s.deployment)).toEqual(['DEP-4', 'DEP-3', 'DEP-2'])
    expect(selectSuspects(deployments, {environments: [], services: [], ...window, windowHours: 24}).map((s) => s.deployment)).toContain('DEP-1')
  })

  test('nothing deployed in the window: no suspects', () => {
    expect(selectSuspects([], {environments: [], services: [], from: '2026-03-01T09:45:00Z', until: '2026-03-01T10:00:00Z'})).toEqual([])
  })
})

describe('withOwners', () => {
  test('adds the changed paths of each range and their code owners (the last matching rule wins)', () => {
    const rules = parseCodeowners('* @everyone\nsrc/payments/ @payments\n/docs/ @writers\n')
    const suspects = selectSuspects(deployments, {environments: ['production'], services: [], from: '2026-03-01T09:45:00Z', until: '2026-03-01T10:00:00Z', windowHours: 4})
    const files: Record<string, string[]> = {'p3..dep-4sha': ['src/payments/charge.ts', 'docs/a.md'], 'p2..dep-3sha': ['README.md']}
    const owned = withOwners(suspects, (range) => files[range], rules)
    expect(owned.map((s) => [s.deployment, s.owners, s.files])).toEqual([
      ['DEP-4', ['payments', 'writers'], ['src/payments/charge.ts', 'docs/a.md']],
      ['DEP-3', ['everyone'], ['README.md']],
    ])
    expect(withOwners([{...suspects[0]!, range: undefined}], () => ['x'], rules)[0]!.owners).toEqual([])
  })
})

import {describe, expect, test} from 'vitest'
import type {RecordEvent} from '../ports.js'
import type {DeploymentFact} from '../records/facts.js'
import {buildEvidence, evidenceMarkdown} from './evidence.js'
import {foldChange} from './model.js'

const ev = (id: string, type: string, data: Record<string, unknown>, at: string): RecordEvent => ({id, type, at, actor: 'author@example.com', data})

const change = foldChange(3, [
  ev('01A', 'created', {
    type: 'normal', title: 'Add index', author: 'author@example.com', binding: {kind: 'branch', branch: 'feature/x', base: 'main', sha: 'a'.repeat(40)},
    environments: ['production'], services: [], backout: 'flow env rollback production',
    risk: {score: 55, approvals: 2, reasons: [{factor: 'sensitive', points: 30, detail: 'sensitive path migrations/**: migrations/1.sql'}], files: 1, lines: 4, teams: [], services: [], sensitive: []},
  }, '2026-06-10T09:00:00.000Z'),
  ev('01B', 'decided', {decision: {by: 'alice@example.com', decision: 'approved', at: '2026-06-10T09:10:00.000Z', via: 'local', comment: 'ok'}}, '2026-06-10T09:10:00.000Z'),
  ev('01C', 'checked', {check: {at: '2026-06-10T09:20:00.000Z', ok: true, reasons: [], approvals: {required: 2, given: [{by: 'alice@example.com', at: '2026-06-10T09:10:00.000Z', via: 'local'}, {by: 'bob', at: '2026-06-10T09:15:00.000Z', via: 'github'}]}, gates: [{name: 'test', status: 'passed', at: '2026-06-10T09:05:00.000Z', sha: 'a'.repeat(40)}]}}, '2026-06-10T09:20:00.000Z'),
  ev('01D', 'break-glass', {reason: 'freeze, hotfix', by: 'alice@example.com'}, '2026-06-10T09:25:00.000Z'),
  ev('01E', 'closed', {code: 'successful', by: 'author@example.com'}, '2026-06-10T10:00:00.000Z'),
])!

const deployment = (id: string, changeId: string | undefined, startedAt: string): DeploymentFact => ({
  id, environment: 'production', services: [], sha: 'b'.repeat(40), kind: 'deploy', outcome: 'success', startedAt, health: [], ...(changeId ? {changeId} : {}),
})

describe('buildEvidence', () => {
  test('lists who asked, risk, every approval (also those a check saw on the forge), gates, break-glass, the change\'s deployments and the closing', () => {
    const e = buildEvidence(change, [deployment('DEP-2', 'CHG-3', '2026-06-10T09:40:00.000Z'), deployment('DEP-1', 'CHG-9', '2026-06-10T09:30:00.000Z'), deployment('DEP-3', 'CHG-3', '2026-06-10T09:30:00.000Z')])
    expect(e.requested).toMatchObject({by: 'author@example.com', at: '2026-06-10T09:00:00.000Z'})
    expect(e.approvals.map((a) => [a.by, a.via, a.at])).toEqual([['alice@example.com', 'local', '2026-06-10T09:10:00.000Z'], ['bob', 'github', '2026-06-10T09:15:00.000Z']])
    expect(e.gates).toEqual([{name: 'test', status: 'passed', at: '2026-06-10T09:05:00.000Z', sha: 'a'.repeat(40)}])
    expect(e.deployments.map((d) => d.id)).toEqual(['DEP-3', 'DEP-2'])
    expect(e).toMatchObject({closed: {code: 'successful'}, reviewAfter: true, breakGlass: [{reason: 'freeze, hotfix'}]})
  })

  test('renders Markdown with a section per part of the bundle', () => {
    const md = evidenceMarkdown(buildEvidence(change, [deployment('DEP-3', 'CHG-3', '2026-06-10T09:30:00.000Z')]))
    expect(md).toContain('# CHG-3: Add index')
    expect(md).toContain('| alice@example.com | approved | 2026-06-10T09:10:00.000Z | local | ok |')
    expect(md).toContain('| test | passed | 2026-06-10T09:05:00.000Z | aaaaaaaaaaaa |')
    expect(md).toContain('| DEP-3 | production | bbbbbbbbbbbb | success |')
    expect(md).toContain('freeze, hotfix (flagged for review after)')
    expect(md).toContain('Closed successful at 2026-06-10T10:00:00.000Z by author@example.com.')
  })
})

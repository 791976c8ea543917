import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {parse} from 'yaml'
import {describe, expect, test} from 'vitest'
import {FlowConfigSchema} from '../config/schema.js'
import {SILENT, processSections, renderProcessDocument} from './process-document.js'

const root = join(import.meta.dirname, '..', '..', '..')
const outline = readFileSync(join(root, 'templates', 'process-document-outline.md'), 'utf8')
const outlineBody = outline.slice(0, outline.indexOf('## Instructions for Completion'))
const headings = (md: string) => [...md.matchAll(/^(#{2,4}) (.+)$/gm)].map((m) => `${m[1]} ${m[2]}`)
/** The labels of the outline: `- **Label**:` bullets, numbered `N. **Title**` groups and their `- Label:` items. */
const labels = (md: string) => [...md.matchAll(/^\s*(?:- \*\*([^*]+)\*\*:|\d+\. \*\*([^*]+)\*\*|- ([A-Z][\w &-]+):)/gm)].map((m) => (m[1] ?? m[2] ?? m[3])!.trim())

const templates = readdirSync(join(root, 'templates')).filter((f) => f.endsWith('.yml'))

describe.each(templates)('the process document of the %s template', (file) => {
  const raw = parse(readFileSync(join(root, 'templates', file), 'utf8')) as Record<string, unknown>
  const config = FlowConfigSchema.parse(raw)
  const doc = renderProcessDocument({config, raw, name: 'shop'})

  test('has the outline\'s headings, groups and labels, in its order', () => {
    expect(headings(doc)).toEqual(headings(outlineBody))
    expect(labels(doc)).toEqual(labels(outlineBody))
  })

  test('every statement comes from flow.yml, or says flow.yml is silent', () => {
    const topLevel = Object.keys(FlowConfigSchema.parse({}))
    for (const section of processSections({config, raw, name: 'shop'})) {
      for (const s of [...(section.statements ?? []), ...(section.numbered ?? []).flatMap((g) => g.statements)]) {
        if (s.text === undefined) continue
        expect(s.from?.length, s.label).toBeGreaterThan(0)
        for (const key of s.from ?? []) expect(topLevel, `${s.label}: ${key}`).toContain(key.split('.')[0])
      }
    }
    expect(doc).toContain(`${config.branches.strategy}: main branch \`${config.branches.main}\``)
    expect(doc).toContain(`${config.review.merge} into the base branch`)
    expect(doc).toContain(`tags \`${config.release.tag}\``)
    // Nothing in these templates describes on-call or artifacts: the document says so rather than inventing.
    expect(doc).toContain(`- **On-call Process**: _${SILENT}_`)
    expect(doc).toContain(`- **Artifact Management**: _${SILENT}_`)
    if (Object.keys(config.environments).length === 0) expect(doc).toContain(`- **Environment Promotion**: _${SILENT}_`)
  })

  test('severities the template leaves out are marked as flow\'s defaults', () => {
    const written = typeof raw.incidents === 'object' && raw.incidents !== null && 'severities' in raw.incidents
    expect(doc.split('\n').find((l) => l.includes('**Severity Classification**'))?.includes("(flow's default)")).toBe(!written)
  })
})

test('the document follows flow.yml: environments, freeze windows, change approvals and gates appear as written', () => {
  const raw = {
    review: {merge: 'rebase', approvals: 2},
    gates: {lint: {run: ['npm', 'run', 'lint']}, secrets: {builtin: 'no-secrets'}},
    stages: {submit: ['lint', 'secrets']},
    environments: {
      staging: {deploy: ['./deploy.sh', '{sha}'], health: {url: 'http://localhost/health'}, rollback: ['./deploy.sh', '{previous_sha}']},
      production: {after: 'staging', approvals: 1, freeze: ['cron: 0 16 * * 5 for 64h'], strategy: {canary: {weight: ['./w.sh', '{percent}'], steps: [10, 100]}}},
    },
    changes: {types: {normal: {approvals: 2}}},
  }
  const doc = renderProcessDocument({config: FlowConfigSchema.parse(raw), raw, name: 'shop'})
  expect(doc).toContain('rebase into the base branch')
  expect(doc).toContain('Pull requests need 2 approvals')
  expect(doc).toContain('In order: staging, production (after staging)')
  expect(doc).toContain('production: canary at 10% → 100%, 60s per step')
  expect(doc).toContain('cron: 0 16 * * 5 for 64h (production)')
  expect(doc).toContain('normal: 2 approvals')
  expect(doc).toContain('`secrets` gate fails on changed files that look like secrets')
  expect(doc).toContain('`submit`: `lint`, `secrets`')
  expect(doc).toContain('staging: `./deploy.sh {previous_sha}`, run automatically when the health check fails')
})

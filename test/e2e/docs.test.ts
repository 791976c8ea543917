import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'

const outline = readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'process-document-outline.md'), 'utf8')
const headings = (md: string) => [...md.matchAll(/^(#{2,4}) (.+)$/gm)].map((m) => `${m[1]} ${m[2]}`)
const outlineHeadings = headings(outline.slice(0, outline.indexOf('## Instructions for Completion')))

describe('flow docs generate', () => {
  test.each(['trunk', 'github-flow', 'git-flow'])('on a repo set up with flow init --template %s: the outline\'s headings, statements from flow.yml', async (template) => {
    const repo = tempRepo()
    const init = await runFlow(['init', '--template', template, '--yes'], {cwd: repo.dir, env: repo.env})
    expect(init.exitCode, init.stderr).toBe(0)
    const run = await runFlow(['docs', 'generate', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json).toEqual({path: 'docs/PROCESS.md', status: 'written', sections: outlineHeadings.length})
    const doc = readFileSync(join(repo.dir, 'docs', 'PROCESS.md'), 'utf8')
    expect(headings(doc)).toEqual(outlineHeadings)
    const strategy = template === 'trunk' ? 'trunk' : template
    expect(doc).toContain(`- **Branching Strategy**: ${strategy}: main branch \`main\``)
    expect(doc).toContain('- **Environment Promotion**: _Not described in flow.yml._')

    const check = await runFlow(['docs', 'generate', '--check', '--json'], {cwd: repo.dir, env: repo.env})
    expect(check.exitCode).toBe(0)
    expect(check.json.status).toBe('up-to-date')
  })

  test('--check fails with DOCS_DRIFT after flow.yml changes; --dry-run writes nothing; --out picks the file', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'version: 1\nreview: {merge: squash}\n')
    expect((await runFlow(['docs', 'generate'], {cwd: repo.dir, env: repo.env})).exitCode).toBe(0)
    repo.write('flow.yml', 'version: 1\nreview: {merge: rebase}\n')
    const drift = await runFlow(['docs', 'generate', '--check', '--json'], {cwd: repo.dir, env: repo.env})
    expect(drift.exitCode).toBe(1)
    expect(drift.json.error).toMatchObject({code: 'DOCS_DRIFT', message: 'docs/PROCESS.md differs from what flow.yml generates'})
    const human = await runFlow(['docs', 'generate', '--check'], {cwd: repo.dir, env: repo.env})
    expect(human.stderr).toContain('Hint: Run flow docs generate')

    const dry = await runFlow(['docs', 'generate', '--out', 'PROCESS.md', '--dry-run'], {cwd: repo.dir, env: repo.env})
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toContain('Write PROCESS.md')
    expect(existsSync(join(repo.dir, 'PROCESS.md'))).toBe(false)

    const out = await runFlow(['docs', 'generate', '--out', 'PROCESS.md', '--json'], {cwd: repo.dir, env: repo.env})
    expect(out.json.status).toBe('written')
    expect(readFileSync(join(repo.dir, 'PROCESS.md'), 'utf8')).toContain('rebase into the base branch')
  })
})

test('flow docs generate --metrics puts the current figures under Performance Tracking without adding headings', async () => {
  const repo = tempRepo()
  repo.write('flow.yml', 'version: 1\nenvironments:\n  production: {}\n')
  const run = await runFlow(['docs', 'generate', '--metrics', '--json'], {cwd: repo.dir, env: repo.env})
  expect(run.exitCode, run.stderr).toBe(0)
  const doc = readFileSync(join(repo.dir, 'docs', 'PROCESS.md'), 'utf8')
  expect(headings(doc)).toEqual(outlineHeadings)
  expect(doc).toContain('  **DORA metrics · production')
  expect(doc).toContain('| Deployment frequency | 0/week (0/day) | 0 deployments |')
})

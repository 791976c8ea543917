import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {seedFacts} from '../helpers/metrics-seed.js'
import {tempRepo} from '../helpers/temp-repo.js'

describe('flow service list and show', () => {
  test('services from flow.yml and catalog-info.yaml, owners from CODEOWNERS, deployments and open incidents from the records', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'version: 1\nservices:\n  web: {owner: web-team, paths: ["web/**"], runbook: docs/web.md}\nenvironments:\n  staging: {services: [web]}\n  production: {after: staging, services: [web]}\n')
    repo.write('web/catalog-info.yaml', 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: web\n  description: The storefront\nspec:\n  type: website\n  owner: group:shop\n  lifecycle: production\n')
    repo.write('web/index.ts', 'export {}\n')
    repo.write('billing/catalog-info.yaml', 'kind: Component\nmetadata: {name: billing}\nspec: {owner: payments}\n')
    repo.write('.github/CODEOWNERS', '/web/ @acme/web\n/billing/ @acme/payments\n')
    const sha = repo.commit('chore: catalog')
    await seedFacts(repo, {
      deployments: [
        {id: 'DEP-1', environment: 'staging', services: ['web'], sha, kind: 'deploy', outcome: 'success', startedAt: '2026-03-01T10:00:00Z', health: []},
        {id: 'DEP-2', environment: 'production', services: ['web'], sha, kind: 'promote', outcome: 'success', startedAt: '2026-03-02T10:00:00Z', finishedAt: '2026-03-02T10:05:00Z', health: []},
      ],
      incidents: [
        {id: 'INC-1', title: 'Slow checkout', severity: 'sev2', services: ['web'], environments: ['production'], status: 'investigating', drill: false, declaredAt: '2026-03-03T10:00:00Z', followUps: []},
        {id: 'INC-2', title: 'Old', severity: 'sev3', services: ['web'], environments: [], status: 'closed', drill: false, declaredAt: '2026-03-01T10:00:00Z', followUps: []},
      ],
    })

    const list = await runFlow(['service', 'list', '--json'], {cwd: repo.dir, env: repo.env})
    expect(list.exitCode, list.stderr).toBe(0)
    expect(list.json.services.map((s: {name: string}) => s.name)).toEqual(['billing', 'web'])
    expect(list.json.services[0]).toMatchObject({name: 'billing', owner: 'payments', codeowners: ['acme/payments'], sources: ['billing/catalog-info.yaml'], environments: [], recentDeployments: [], openIncidents: []})
    expect(list.json.services[1]).toMatchObject({
      name: 'web', description: 'The storefront', owner: 'web-team', codeowners: ['acme/web'], sources: ['flow.yml', 'web/catalog-info.yaml'],
      environments: ['staging', 'production'], runbook: 'docs/web.md', type: 'website', lifecycle: 'production',
      recentDeployments: [{id: 'DEP-2', environment: 'production', outcome: 'success'}, {id: 'DEP-1', environment: 'staging'}],
      openIncidents: [{id: 'INC-1', title: 'Slow checkout', severity: 'sev2', status: 'investigating'}],
    })

    const human = await runFlow(['service', 'list'], {cwd: repo.dir, env: repo.env})
    expect(human.stdout).toContain('web  owner web-team (CODEOWNERS: acme/web)  environments staging, production  last deployment DEP-2 production success 2026-03-02 10:05  open incidents 1')

    const show = await runFlow(['service', 'show', 'web'], {cwd: repo.dir, env: repo.env})
    expect(show.exitCode, show.stderr).toBe(0)
    expect(show.stdout).toContain('web: The storefront')
    expect(show.stdout).toContain('INC-1  sev2  investigating  Slow checkout')

    const missing = await runFlow(['service', 'show', 'nope', '--json'], {cwd: repo.dir, env: repo.env})
    expect(missing.exitCode).toBe(1)
    expect(missing.json.error).toMatchObject({code: 'SERVICE_NOT_FOUND', hint: 'Known services: billing, web.'})
  })
})

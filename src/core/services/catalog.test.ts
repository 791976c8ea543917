import {expect, test} from 'vitest'
import {FlowConfigSchema} from '../config/schema.js'
import type {DeploymentFact, IncidentFact} from '../records/facts.js'
import {buildCatalog, parseCatalog} from './catalog.js'

test('flow.yml services and catalog components merge by name, with CODEOWNERS owners, environments and records', async () => {
  const components = [
    ...(await parseCatalog('services/web/catalog-info.yaml', `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web, description: The storefront}
spec: {type: website, owner: group:default/shop-team, lifecycle: production, system: shop}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: web-api}
`)),
    ...(await parseCatalog('worker/catalog-info.yaml', 'kind: Component\nmetadata: {name: worker}\nspec: {owner: ops}\n')),
  ]
  const config = FlowConfigSchema.parse({
    environments: {staging: {services: ['web']}, production: {services: ['web', 'billing']}},
    services: {web: {owner: 'web-team', paths: ['services/web/**'], runbook: 'docs/web.md'}, billing: {environments: ['production']}},
  })
  const deployment = (id: string, startedAt: string, services: string[]): DeploymentFact => ({id, environment: 'production', services, sha: 'abc1234def', kind: 'deploy', outcome: 'success', startedAt, health: []})
  const incident = (id: string, status: IncidentFact['status'], drill = false): IncidentFact => ({id, title: id, severity: 'sev2', services: ['web'], environments: [], status, drill, declaredAt: '2026-01-01T00:00:00Z', followUps: []})
  const services = buildCatalog({
    config,
    components,
    codeowners: '* @everyone\n/services/web/ @acme/web-team\nworker/ @ops\n',
    files: ['services/web/index.ts', 'services/web/catalog-info.yaml', 'worker/main.go', 'README.md'],
    deployments: [deployment('DEP-1', '2026-01-01T00:00:00Z', ['web']), deployment('DEP-2', '2026-01-02T00:00:00Z', ['web', 'billing']), deployment('DEP-3', '2026-01-03T00:00:00Z', ['billing'])],
    incidents: [incident('INC-1', 'investigating'), incident('INC-2', 'resolved'), incident('INC-3', 'identified', true)],
  })
  expect(services.map((s) => s.name)).toEqual(['billing', 'web', 'worker'])
  const [billing, web, worker] = services
  expect(web).toMatchObject({
    description: 'The storefront', owner: 'web-team', codeowners: ['acme/web-team'], sources: ['flow.yml', 'services/web/catalog-info.yaml'],
    type: 'website', lifecycle: 'production', system: 'shop', runbook: 'docs/web.md', environments: ['staging', 'production'],
  })
  expect(web?.recentDeployments.map((d) => d.id)).toEqual(['DEP-2', 'DEP-1'])
  expect(web?.openIncidents.map((i) => i.id)).toEqual(['INC-1'])
  expect(billing).toMatchObject({sources: ['flow.yml'], environments: ['production'], codeowners: []})
  expect(worker).toMatchObject({owner: 'ops', paths: ['worker/**'], codeowners: ['ops'], sources: ['worker/catalog-info.yaml']})
})

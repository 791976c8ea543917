import {expect, test} from 'vitest'
import type {IncidentFact} from '../records/facts.js'
import {computeIncidentMetrics} from './incident-metrics.js'

const M = 60_000
const t = (s: string) => `2026-02-${s}:00.000Z`
const inc = (id: string, f: Partial<IncidentFact>): IncidentFact => ({id, title: id, severity: 'sev2', services: ['web'], environments: [], status: 'resolved', drill: false, declaredAt: t('02T10:00'), followUps: [], ...f})

test('counts by severity and service, response times, follow-ups and postmortem lag, drills left out', () => {
  const report = computeIncidentMetrics({
    window: {start: t('01T00:00'), end: t('28T00:00')},
    postmortemRequired: ['sev1', 'sev2'],
    severityOrder: ['sev1', 'sev2', 'sev3'],
    incidents: [
      // Detected 10:00, acked 10:05, impact from 09:50, mitigated 10:50, resolved 11:50; postmortem a day later.
      inc('INC-1', {severity: 'sev1', services: ['web', 'api'], impactStartedAt: t('02T09:50'), detectedAt: t('02T10:00'), declaredAt: t('02T10:02'), acknowledgedAt: t('02T10:05'), mitigatedAt: t('02T10:50'), resolvedAt: t('02T11:50'), postmortem: {path: 'pm.md', at: t('03T11:50')}, cause: {deployment: 'DEP-1'}, followUps: [{title: 'a', done: true}, {title: 'b', done: false}]}),
      // No detection time: acked 15 min after the declaration; resolved 3 h after it; postmortem missing.
      inc('INC-2', {declaredAt: t('05T08:00'), acknowledgedAt: t('05T08:15'), resolvedAt: t('05T11:00'), followUps: [{title: 'c', done: true}]}),
      // Still open.
      inc('INC-3', {severity: 'sev3', services: [], status: 'investigating', declaredAt: t('07T08:00')}),
      inc('INC-4', {severity: 'sev1', drill: true, declaredAt: t('08T08:00'), acknowledgedAt: t('08T08:01')}),
      inc('INC-5', {declaredAt: '2026-01-15T00:00:00.000Z'}),
    ],
  })
  expect(report.total).toBe(3)
  expect(report.open).toBe(1)
  expect(report.drillsExcluded).toBe(1)
  expect(report.bySeverity).toEqual({sev1: 1, sev2: 1, sev3: 1})
  expect(report.byService).toEqual({web: 2, api: 1, '(none)': 1})
  expect(report.timeToAcknowledge).toEqual({sample: 2, median: 10 * M, p90: 15 * M})
  expect(report.timeToMitigate).toEqual({sample: 1, median: 60 * M, p90: 60 * M})
  expect(report.timeToResolve).toEqual({sample: 2, median: 150 * M, p90: 180 * M})
  expect(report.followUps).toEqual({total: 3, done: 2, rate: 0.667})
  expect(report.postmortems).toEqual({lag: {sample: 1, median: 24 * 60 * M, p90: 24 * 60 * M}, written: 1, missing: ['INC-2']})
  expect(report.withoutCause).toBe(2)
})

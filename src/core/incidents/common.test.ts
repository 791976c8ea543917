import {describe, expect, test} from 'vitest'
import {defaultConfig} from '../config/schema.js'
import type {RecordEvent} from '../ports.js'
import {parseIncidentId, pickIncident, notifySteps} from './common.js'
import {foldIncident} from './model.js'
import {postmortemValues, renderTemplate} from './postmortem.js'

const values = {id: 'INC-3', severity: 'sev1', title: 'a "quoted"; $(rm -rf /) title', status: 'investigating', event: 'declared', text: '', drill: 'false'}

describe('notifySteps', () => {
  test('argv commands get each value inside its own argument, never through a shell', () => {
    const config = defaultConfig()
    config.incidents.notify = [['./notify.sh', '{severity}', '{title}', 'id={id}']]
    const [step] = notifySteps(config, {key: 'K'}, 'K', values)
    expect(step!.input).toMatchObject({run: 'K#0', command: ['./notify.sh', 'sev1', 'a "quoted"; $(rm -rf /) title', 'id=INC-3'], display: './notify.sh {severity} {title} id={id}'})
  })

  test('a string command (run by the user shell) gets quoted variable references; the values travel in the environment', () => {
    const config = defaultConfig()
    config.incidents.notify = ['echo {title} >> log']
    const [step] = notifySteps(config, {key: 'K'}, 'K', values)
    expect(step!.input).toMatchObject({command: 'echo "$FLOW_INCIDENT_TITLE" >> log', env: expect.objectContaining({FLOW_INCIDENT_TITLE: values.title, FLOW_INCIDENT_ID: 'INC-3'})})
  })
})

describe('pickIncident', () => {
  const view = (n: number, status: 'investigating' | 'resolved') => {
    const events: RecordEvent[] = [{id: `A${n}`, type: 'declared', at: '2026-03-01T10:00:00.000Z', data: {title: `t${n}`, severity: 'sev1'}}]
    if (status === 'resolved') events.push({id: `B${n}`, type: 'resolved', at: '2026-03-01T11:00:00.000Z', data: {}})
    return foldIncident({number: n, recordId: `INC-${n}`, rootId: `A${n}`, events})!
  }

  test('by id in several spellings, else the only open one; unknown ids and ambiguity are errors with hints', () => {
    const views = [view(1, 'resolved'), view(2, 'investigating')]
    expect(['INC-1', 'inc-1', '#1', '1'].map((id) => pickIncident(views, id).id)).toEqual(['INC-1', 'INC-1', 'INC-1', 'INC-1'])
    expect(pickIncident(views, undefined).id).toBe('INC-2')
    expect(() => pickIncident(views, 'INC-9')).toThrow(expect.objectContaining({code: 'INCIDENT_NOT_FOUND', hint: expect.stringContaining('flow incident list')}))
    expect(() => pickIncident([...views, view(3, 'investigating')], undefined)).toThrow(expect.objectContaining({code: 'USAGE', message: '2 incidents are open (INC-2, INC-3): which one?'}))
    expect(parseIncidentId('DEP-1')).toBeUndefined()
  })
})

describe('the postmortem draft', () => {
  test('carries the real timeline, durations, cause and follow-ups', () => {
    const view = foldIncident({number: 3, recordId: 'INC-3', rootId: 'A1', events: [
      {id: 'A1', type: 'declared', at: '2026-03-01T10:00:00.000Z', data: {title: 'Checkout 500s', severity: 'sev1', services: ['web'], impactStartedAt: '2026-03-01T09:50:00.000Z'}},
      {id: 'A2', type: 'acknowledged', at: '2026-03-01T10:02:00.000Z', actor: 'alice@example.com', data: {}},
      {id: 'A3', type: 'cause', at: '2026-03-01T10:10:00.000Z', data: {deployment: 'DEP-7', sha: 'abc123'}},
      {id: 'A4', type: 'resolved', at: '2026-03-01T10:50:00.000Z', data: {}},
      {id: 'A5', type: 'follow-up', at: '2026-03-01T11:00:00.000Z', data: {title: 'Canary for checkout', key: 'F'}},
    ]})!
    const text = renderTemplate('# {{title}}\n{{timeline}}\n{{durations}}\n{{cause}}\n{{follow_ups}}\n{{unknown}}', postmortemValues(view, defaultConfig(), []))
    expect(text).toBe([
      '# Checkout 500s',
      '- 2026-03-01 09:50:00: Impact started',
      '- 2026-03-01 10:00:00: Declared sev1 "Checkout 500s"',
      '- 2026-03-01 10:02:00: Acknowledged (alice@example.com)',
      '- 2026-03-01 10:10:00: Cause: DEP-7 commit abc123',
      '- 2026-03-01 10:50:00: Resolved',
      '- 2026-03-01 11:00:00: Follow-up: Canary for checkout',
      '- Time to acknowledge: 2m',
      '- Time to mitigate: 1h',
      '- Time to resolve: 1h',
      'Cause (stated with `flow incident cause`): deployment DEP-7, commit abc123.',
      '- [ ] Canary for checkout',
      '{{unknown}}',
    ].join('\n'))
  })
})

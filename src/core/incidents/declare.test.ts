import {describe, expect, test} from 'vitest'
import {stepDeps} from '../../../test/helpers/run-steps.js'
import {tempRepo} from '../../../test/helpers/temp-repo.js'
import {defaultConfig} from '../config/schema.js'
import type {Prompter} from '../ports.js'
import {declareIncident} from './declare.js'
import {incidentStepKinds} from './steps.js'

function deps(prompter: Prompter) {
  const repo = tempRepo()
  const base = stepDeps(repo.dir, repo.env)
  const config = defaultConfig()
  return {
    ...base,
    prompter,
    config: async () => ({path: undefined, config}),
    forgeInfo: async () => ({kind: 'local' as const, describe: 'local', tokenSource: 'none' as const, reason: 'test'}),
    stepKinds: async () => incidentStepKinds,
  }
}

describe('declareIncident', () => {
  test('on a terminal without --sev, a picker shows each severity with its description, the most severe first and suggested', async () => {
    const asked: Array<{message: string; choices: unknown; defaultValue?: string}> = []
    const prompter: Prompter = {
      canPrompt: true,
      confirm: async () => true,
      input: async () => '',
      async select(message, choices, defaultValue) {
        asked.push({message, choices, defaultValue})
        return 'sev2' as never
      },
    }
    const declared = await declareIncident(deps(prompter), {title: 'Checkout slow'})
    expect(asked).toEqual([{
      message: 'Severity (when unsure, pick the more severe one: it can be lowered later)',
      choices: [
        {value: 'sev1', name: 'sev1: Customer-facing outage', description: 'Customer-facing outage'},
        {value: 'sev2', name: 'sev2: Degraded service', description: 'Degraded service'},
        {value: 'sev3', name: 'sev3: Minor impact', description: 'Minor impact'},
      ],
      defaultValue: 'sev1',
    }])
    expect(declared).toMatchObject({id: 'INC-1', severity: 'sev2', checklist: {severity: 'sev2', updateEvery: '2h', postmortem: 'required'}, suspects: []})
  })
})

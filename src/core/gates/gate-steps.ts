import {loadConfig} from '../config/load.js'
import type {FlowConfig} from '../config/schema.js'
import {FlowError} from '../errors.js'
import {resolveRepo} from '../repo.js'
import type {StepKind, StepSpec} from '../../engine/types.js'
import {runGates} from './run-gates.js'

/** The input of a `gates.run` step. */
export interface GatesStepInput {
  stage: string
}

/**
 * Runs a gate stage inside a plan (`feature submit`, `feature finish`, `release cut`): a red gate pauses the run,
 * and `flow continue` runs the stage again, the gates that passed coming from the cache. Gates change nothing, so
 * there is nothing to undo.
 */
export const gatesRunKind: StepKind<GatesStepInput> = {
  kind: 'gates.run',
  describe: ({stage}) => `Run the ${stage} gates`,
  run: async (ctx, {stage}) => {
    const run = await runGates({
      git: ctx.git,
      shell: ctx.shell,
      reporter: ctx.reporter,
      clock: ctx.clock,
      config: () => loadConfig(ctx.git, ctx.cwd),
      repo: () => resolveRepo(ctx.git),
    }, {stage})
    if (!run.ok) {
      throw new FlowError('GATE_FAILED', `the ${stage} gates failed: ${run.failed.join(', ')}`, {
        hint: `Each gate's whole output is in ${run.logDir}; on flow continue the gates that passed come from the cache.`,
      })
    }
    return {stage, gates: run.gates.map((g) => ({name: g.name, status: g.status}))}
  },
}

/** The step kinds of the gates. */
export const gateStepKinds: StepKind[] = [gatesRunKind]

/** The step that runs a stage, or none when flow.yml gives that stage no gates. */
export function gateStageSteps(config: Pick<FlowConfig, 'stages'>, stage: string): StepSpec[] {
  const gates = (config.stages as Record<string, string[] | undefined>)[stage]
  return gates && gates.length > 0 ? [{kind: 'gates.run', input: {stage} satisfies GatesStepInput}] : []
}

import type {Deps} from '../../src/core/deps.js'
import {systemClock, ulidFactory} from '../../src/core/ids.js'
import type {Clock, Ids} from '../../src/core/ports.js'
import {resolveRepo} from '../../src/core/repo.js'
import {recordsStepKinds} from '../../src/core/records/sync-steps.js'
import type {runPlan} from '../../src/engine/runner.js'
import type {JournalStep, StepContext, StepSpec} from '../../src/engine/types.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {GitRecordStore} from '../../src/providers/git-record-store.js'

/** Deps for services run in tests against a real repository: real git, the records store, silent reporter. */
export function stepDeps(dir: string, env: Record<string, string>, options: {clock?: Clock; ids?: Ids} = {}): Deps & {store: GitRecordStore} {
  const git = new GitCli(dir, env)
  const clock = options.clock ?? systemClock
  const ids = options.ids ?? ulidFactory(clock)
  const store = new GitRecordStore(git, clock, ids)
  const unused = (what: string) => () => Promise.reject(new Error(`${what} is not available in this test`))
  return {
    cwd: dir,
    env,
    git,
    shell: {run: unused('shell'), which: async () => undefined},
    prompter: {canPrompt: false, confirm: unused('prompter'), input: unused('prompter'), select: unused('prompter')},
    reporter: {progress: () => {}, warn: () => {}, info: () => {}},
    clock,
    ids,
    yes: true,
    repo: () => resolveRepo(git),
    config: unused('config'),
    forge: unused('forge'),
    forgeInfo: unused('forgeInfo'),
    records: async () => store,
    stepKinds: async () => recordsStepKinds,
    store,
  }
}

/** The context a step kind sees, built from test deps. */
export function stepContext(deps: Deps, outputs: Array<Record<string, unknown> | undefined> = []): StepContext {
  return {cwd: deps.cwd, git: deps.git, shell: deps.shell, reporter: deps.reporter, clock: deps.clock, ids: deps.ids, forge: deps.forge, records: deps.records, outputs}
}

/** Runs one step the way the engine would: skip it when isDone says so, else run it. */
export async function runStep(deps: Deps, spec: StepSpec, outputs: Array<Record<string, unknown> | undefined> = []): Promise<{skipped: boolean; output?: Record<string, unknown>}> {
  const kind = (await deps.stepKinds()).find((k) => k.kind === spec.kind)
  if (!kind) throw new Error(`unknown step kind ${spec.kind}`)
  const ctx = stepContext(deps, outputs)
  if (kind.isDone && (await kind.isDone(ctx, spec.input))) return {skipped: true}
  return {skipped: false, output: (await kind.run(ctx, spec.input)) ?? undefined}
}

/** A test-only stand-in for the engine's runPlan: each step in order, isDone then run; no journal. */
export const runSteps: typeof runPlan = async (deps, plan, options = {}) => {
  const kinds = await deps.stepKinds()
  const steps: JournalStep[] = []
  const outputs: Array<Record<string, unknown> | undefined> = []
  for (const spec of plan.steps) {
    const kind = kinds.find((k) => k.kind === spec.kind)
    if (!kind) throw new Error(`unknown step kind ${spec.kind}`)
    const step: JournalStep = {kind: spec.kind, description: kind.describe(spec.input), status: 'pending'}
    steps.push(step)
    if (options.dryRun) continue
    const ctx = stepContext(deps as Deps, outputs)
    if (!(kind.isDone && (await kind.isDone(ctx, spec.input)))) outputs[steps.length - 1] = (await kind.run(ctx, spec.input)) ?? undefined
    step.status = 'done'
  }
  return {runId: null, command: plan.command, status: options.dryRun ? 'dry-run' : 'done', steps, outputs}
}

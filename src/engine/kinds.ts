import {FlowError, isFlowError} from '../core/errors.js'
import {redact} from '../core/redact.js'
import type {EngineDeps} from './runner.js'
import type {Journal, StepContext, StepKind, StepSpec} from './types.js'

/** The step kinds of a run, by name. */
export type KindRegistry = Map<string, StepKind>

/** Loads the registered step kinds and checks that every step of a plan has one. */
export async function kindsFor(deps: Pick<EngineDeps, 'stepKinds'>, steps: StepSpec[], where: 'plan' | 'journal'): Promise<KindRegistry> {
  const registry: KindRegistry = new Map((await deps.stepKinds([...new Set(steps.map((s) => s.kind))])).map((k) => [k.kind, k]))
  const unknown = [...new Set(steps.map((s) => s.kind).filter((k) => !registry.has(k)))]
  if (unknown.length > 0) {
    throw new FlowError('STEP_KIND_UNKNOWN', `The ${where} has steps of a kind this flow does not know: ${unknown.join(', ')}`, {
      hint: where === 'journal'
        ? 'The run was started by another version of flow: finish it with that version, or run flow abort to stop tracking it.'
        : 'This is a bug in flow: a command planned a step kind that is not registered in src/cli/step-kinds.ts.',
      details: {kinds: unknown},
    })
  }
  return registry
}

/** The kind of a step (checked by kindsFor). */
export function kindOf(registry: KindRegistry, spec: StepSpec): StepKind {
  const kind = registry.get(spec.kind)
  if (!kind) throw new FlowError('STEP_KIND_UNKNOWN', `Unknown step kind ${spec.kind}`)
  return kind
}

/** One line describing a step, never failing. */
export function describeStep(kind: StepKind, spec: StepSpec): string {
  try {
    return redact(kind.describe(spec.input))
  } catch {
    return spec.kind
  }
}

/** The context a step runs, is checked or is undone in. */
export function stepContext(deps: EngineDeps, journal: Pick<Journal, 'steps'>, prepared?: Record<string, unknown>): StepContext {
  return {
    cwd: deps.cwd,
    git: deps.git,
    shell: deps.shell,
    reporter: deps.reporter,
    clock: deps.clock,
    ids: deps.ids,
    forge: () => deps.forge(),
    records: () => deps.records(),
    outputs: journal.steps.map((s) => s.output),
    prepared,
  }
}

/** A thrown value as the journal keeps it: code, one-line message, hint; redacted. */
export function errorInfo(error: unknown): {code: string; message: string; hint?: string} {
  if (isFlowError(error)) return {code: error.code, message: redact(error.message), ...(error.hint ? {hint: redact(error.hint)} : {})}
  const message = error instanceof Error ? error.message : String(error)
  return {code: 'INTERNAL', message: redact(message || 'unknown error')}
}

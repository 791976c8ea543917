/** Exit codes of DESIGN.md, by meaning. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 3,
  auth: 4,
  gate: 5,
  policy: 6,
  paused: 8,
  cancelled: 130,
} as const

/** Every error code flow reports, in one union. */
export type ErrorCode =
  | 'USAGE'
  | 'PROMPT_NEEDED'
  | 'NOT_A_REPOSITORY'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'CONFIG_EXISTS'
  | 'FORGE_AUTH'
  | 'FORGE_PERMISSION'
  | 'FORGE_UNAVAILABLE'
  | 'FORGE_NOT_FOUND'
  | 'FORGE_CONFLICT'
  | 'GATE_FAILED'
  | 'POLICY_BLOCKED'
  | 'RUN_PAUSED'
  | 'RUN_IN_PROGRESS'
  | 'RUN_LOCKED'
  | 'NO_RUN'
  | 'UNDO_IMPOSSIBLE'
  | 'HOOKS_MANAGED'
  | 'CI_DRIFT'
  | 'DOCS_DRIFT'
  | 'SERVICE_NOT_FOUND'
  | 'STEP_KIND_UNKNOWN'
  | 'JOURNAL_INVALID'
  | 'GIT_FAILED'
  | 'DIRTY_WORKTREE'
  | 'REMOTE_MISSING'
  | 'RECORDS_CONFLICT'
  | 'RECORDS_INVALID'
  | 'REMOTE_UNREACHABLE'
  | 'COMMAND_FAILED'
  | 'INCIDENT_NOT_FOUND'
  | 'DEPLOY_FAILED'
  | 'CANCELLED'
  | 'INTERNAL'

const exitFor: Record<ErrorCode, number> = {
  USAGE: ExitCode.usage,
  PROMPT_NEEDED: ExitCode.usage,
  NOT_A_REPOSITORY: ExitCode.failure,
  CONFIG_NOT_FOUND: ExitCode.config,
  CONFIG_INVALID: ExitCode.config,
  CONFIG_EXISTS: ExitCode.failure,
  FORGE_AUTH: ExitCode.auth,
  FORGE_PERMISSION: ExitCode.auth,
  FORGE_UNAVAILABLE: ExitCode.failure,
  FORGE_NOT_FOUND: ExitCode.failure,
  FORGE_CONFLICT: ExitCode.failure,
  GATE_FAILED: ExitCode.gate,
  POLICY_BLOCKED: ExitCode.policy,
  RUN_PAUSED: ExitCode.paused,
  RUN_IN_PROGRESS: ExitCode.failure,
  RUN_LOCKED: ExitCode.failure,
  NO_RUN: ExitCode.failure,
  UNDO_IMPOSSIBLE: ExitCode.failure,
  HOOKS_MANAGED: ExitCode.failure,
  CI_DRIFT: ExitCode.failure,
  DOCS_DRIFT: ExitCode.failure,
  SERVICE_NOT_FOUND: ExitCode.failure,
  STEP_KIND_UNKNOWN: ExitCode.failure,
  JOURNAL_INVALID: ExitCode.failure,
  GIT_FAILED: ExitCode.failure,
  DIRTY_WORKTREE: ExitCode.failure,
  REMOTE_MISSING: ExitCode.failure,
  RECORDS_CONFLICT: ExitCode.failure,
  RECORDS_INVALID: ExitCode.failure,
  REMOTE_UNREACHABLE: ExitCode.failure,
  COMMAND_FAILED: ExitCode.failure,
  INCIDENT_NOT_FOUND: ExitCode.failure,
  DEPLOY_FAILED: ExitCode.failure,
  CANCELLED: ExitCode.cancelled,
  INTERNAL: ExitCode.failure,
}

/** Options of a FlowError beyond its code and message. */
export interface FlowErrorOptions {
  hint?: string
  /** Overrides the exit code that the error code implies. */
  exit?: number
  /** Structured detail for --json (for example every config problem). */
  details?: unknown
  cause?: unknown
}

/** An expected, user-fixable error: printed as one line with a hint, never with a stack. */
export class FlowError extends Error {
  readonly code: ErrorCode
  readonly hint?: string
  readonly exit: number
  readonly details?: unknown

  constructor(code: ErrorCode, message: string, options: FlowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'FlowError'
    this.code = code
    this.hint = options.hint
    this.exit = options.exit ?? exitFor[code]
    this.details = options.details
  }
}

/** True when the value is a FlowError (also across module copies). */
export function isFlowError(error: unknown): error is FlowError {
  return error instanceof FlowError || (error instanceof Error && error.name === 'FlowError' && 'code' in error && 'exit' in error)
}

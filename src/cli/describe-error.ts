// Errors to what flow reports (document and exit code): shared by the oclif base command and the fast lane,
// so it must not import @oclif/core.
import {ExitCode, isFlowError} from '../core/errors.js'

/** The JSON document printed on failure under --json. */
export interface ErrorDocument {
  error: {code: string; message: string; hint?: string; details?: unknown}
}

/** Turns any thrown value into the error document and exit code flow reports. */
export function describeError(error: unknown): {doc: ErrorDocument; exit: number; bug: boolean} {
  if (isFlowError(error)) {
    return {doc: {error: {code: error.code, message: error.message, hint: error.hint, details: error.details}}, exit: error.exit, bug: false}
  }
  const e = error as {oclif?: {exit?: number}; message?: string; code?: string; name?: string}
  if (e?.code === 'EEXIT') return {doc: {error: {code: 'EXIT', message: ''}}, exit: e.oclif?.exit ?? 0, bug: false}
  // oclif parse errors (unknown flag, missing arg, bad option) are usage errors.
  const parseError = e?.name && /Error$/.test(e.name) && /(Nonexistent|Unexpected argument|Missing|Expected|FailedFlagValidation|RequiredArgs|ArgInvalid|FlagInvalid|Parse)/i.test(`${e.name} ${e.constructor?.name ?? ''}`)
  if (parseError || e?.oclif?.exit === 2) {
    const message = (e.message ?? 'Invalid usage').split('\n').filter((l) => l.trim() && !/^\s*See more help/.test(l)).map((l) => l.trim()).join(' ')
    return {doc: {error: {code: 'USAGE', message, hint: 'See --help for the flags and arguments this command takes.'}}, exit: ExitCode.usage, bug: false}
  }
  if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError') {
    return {doc: {error: {code: 'CANCELLED', message: 'Cancelled'}}, exit: ExitCode.cancelled, bug: false}
  }
  return {
    doc: {error: {code: 'INTERNAL', message: e?.message ?? String(error), hint: 'This is a bug in flow. Run again with --debug for the stack trace, and report it.'}},
    exit: ExitCode.failure,
    bug: true,
  }
}

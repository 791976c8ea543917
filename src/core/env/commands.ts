import type {Command} from '../config/schema.js'
import type {Shell, ShellResult} from '../ports.js'

/** The values flow fills into deploy, rollback, switch, weight and check commands. */
export interface CommandValues {
  environment: string
  sha: string
  ref: string
  previousSha?: string
  version?: string
  deployment?: string
  color?: string
  percent?: number
  /** A rolling deployment's batch (1-based) and how many there are. */
  batch?: number
  batches?: number
}

/** The placeholders of an argv command and the environment variables of every command, from the same values. */
function table(values: CommandValues): Record<string, string> {
  const entries: Array<[string, string | undefined]> = [
    ['environment', values.environment], ['env', values.environment], ['sha', values.sha], ['ref', values.ref],
    ['previous_sha', values.previousSha ?? ''], ['version', values.version ?? ''], ['deployment', values.deployment ?? ''],
    ['color', values.color ?? ''], ['percent', values.percent === undefined ? '' : String(values.percent)],
    ['batch', values.batch === undefined ? '' : String(values.batch)], ['batches', values.batches === undefined ? '' : String(values.batches)],
  ]
  return Object.fromEntries(entries.map(([k, v]) => [k, v ?? '']))
}

/** Fills `{placeholders}` inside each argv element; each element stays one argument (no shell ever sees it). */
export function fillArgv(argv: readonly string[], values: CommandValues): string[] {
  const t = table(values)
  return argv.map((arg) => arg.replace(/\{([a-z_]+)\}/g, (whole, name: string) => (name in t ? (t[name] as string) : whole)))
}

/** Fills `{placeholders}` of a URL, each value percent-encoded. */
export function fillUrl(url: string, values: CommandValues): string {
  const t = table(values)
  return url.replace(/\{([a-z_]+)\}/g, (whole, name: string) => (name in t ? encodeURIComponent(t[name] as string) : whole))
}

/** The environment variables every command gets: FLOW_ENV, FLOW_SHA, FLOW_PREVIOUS_SHA, FLOW_VERSION and friends. */
export function commandEnv(values: CommandValues, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    FLOW_ENV: values.environment,
    FLOW_SHA: values.sha,
    FLOW_REF: values.ref,
    FLOW_PREVIOUS_SHA: values.previousSha ?? '',
    FLOW_VERSION: values.version ?? '',
    ...(values.deployment ? {FLOW_DEPLOYMENT: values.deployment} : {}),
    ...(values.color ? {FLOW_COLOR: values.color} : {}),
    ...(values.percent === undefined ? {} : {FLOW_PERCENT: String(values.percent)}),
    ...(values.batch === undefined ? {} : {FLOW_BATCH: String(values.batch), FLOW_BATCHES: String(values.batches ?? values.batch)}),
  }
}

/**
 * Runs a command of flow.yml: an argv list with its placeholders filled as separate arguments, or a string through
 * the user's shell with the values only in environment variables (never spliced into the line).
 */
export function runEnvCommand(shell: Shell, command: Command, values: CommandValues, options: {cwd: string; env?: Record<string, string>; timeoutMs?: number; stream?: boolean}): Promise<ShellResult> {
  const argvOrLine = typeof command === 'string' ? command : fillArgv(command, values)
  return shell.run(argvOrLine, {cwd: options.cwd, env: commandEnv(values, options.env), stream: options.stream ?? true, ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {})})
}

/** A command as one line for people and the journal. */
export function showCommand(command: Command): string {
  return typeof command === 'string' ? command : command.map((a) => (/^[\w@%+=:,./{}-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')
}

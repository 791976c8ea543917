import type {Shell, ShellResult, ShellRunOptions} from '../core/ports.js'

/** The team's commands through execa: argv arrays run directly, strings through the user's shell. */
export class ExecaShell implements Shell {
  constructor(
    private readonly cwd: string,
    private readonly baseEnv: Record<string, string | undefined> = process.env,
  ) {}

  async run(command: string[] | string, options: ShellRunOptions = {}): Promise<ShellResult> {
    const {execa} = await import('execa')
    const started = Date.now()
    const common = {
      cwd: options.cwd ?? this.cwd,
      env: {...this.baseEnv, ...options.env},
      extendEnv: false,
      reject: false,
      timeout: options.timeoutMs,
      input: options.input,
      stdin: options.input === undefined ? ('ignore' as const) : undefined,
      stdout: options.stream ? (['pipe', 'inherit'] as ['pipe', 'inherit']) : ('pipe' as const),
      stderr: options.stream ? (['pipe', 'inherit'] as ['pipe', 'inherit']) : ('pipe' as const),
      all: false,
    }
    const result = typeof command === 'string'
      ? await execa(command, {...common, shell: this.baseEnv.SHELL || true})
      : await execa(command[0] ?? '', command.slice(1), common)
    return {
      exitCode: typeof result.exitCode === 'number' ? result.exitCode : 1,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? (result.failed && !result.exitCode ? result.message : '')),
      timedOut: Boolean(result.timedOut),
      durationMs: Date.now() - started,
    }
  }

  async which(name: string): Promise<string | undefined> {
    const {delimiter, join} = await import('node:path')
    const {access, constants} = await import('node:fs/promises')
    for (const dir of (this.baseEnv.PATH ?? '').split(delimiter)) {
      if (!dir) continue
      const candidate = join(dir, name)
      try {
        await access(candidate, constants.X_OK)
        return candidate
      } catch {
        // not in this directory
      }
    }
    return undefined
  }
}

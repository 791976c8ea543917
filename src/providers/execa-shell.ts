import type {Readable} from 'node:stream'
import type {Shell, ShellResult, ShellRunOptions} from '../core/ports.js'
import {redact} from '../core/redact.js'

/** How long a stopped command's process group gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000

const liveGroups = new Set<number>()
let handlersInstalled = false

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // the group is already gone
  }
}

// Commands run in their own process group (so a timeout can stop `sh -c 'sleep 5; ...'` and all it started);
// such groups no longer get the terminal's Ctrl-C, so flow stops them itself when it exits or is interrupted.
function installExitHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL')
  })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const pid of liveGroups) killGroup(pid, 'SIGKILL')
      process.kill(process.pid, signal)
    })
  }
}

/**
 * Streams a command's output to flow's stderr (progress: stdout stays for --json), line by line with every known
 * secret redacted: a deploy command that prints the token shows `***` instead, like a gate's output.
 */
function forward(stream: Readable | null | undefined): () => void {
  if (!stream) return () => {}
  let pending = ''
  stream.on('data', (chunk: Buffer | string) => {
    pending += String(chunk)
    const end = pending.lastIndexOf('\n')
    if (end < 0) return
    process.stderr.write(redact(pending.slice(0, end + 1)))
    pending = pending.slice(end + 1)
  })
  return () => {
    if (pending) process.stderr.write(redact(pending))
    pending = ''
  }
}

/** The team's commands through execa: argv arrays run directly, strings through the user's shell. */
export class ExecaShell implements Shell {
  constructor(
    private readonly cwd: string,
    private readonly baseEnv: Record<string, string | undefined> = process.env,
  ) {}

  async run(command: string[] | string, options: ShellRunOptions = {}): Promise<ShellResult> {
    const {execa} = await import('execa')
    const started = Date.now()
    const group = process.platform !== 'win32'
    const common = {
      cwd: options.cwd ?? this.cwd,
      env: {...this.baseEnv, ...options.env},
      extendEnv: false,
      reject: false,
      detached: group,
      // execa's own timeout and cleanup signal only the direct child; the whole group is stopped below.
      cleanup: !group,
      timeout: group ? undefined : options.timeoutMs,
      input: options.input,
      stdin: options.input === undefined ? ('ignore' as const) : undefined,
      stdout: 'pipe' as const,
      stderr: 'pipe' as const,
      all: true,
    }
    const subprocess = typeof command === 'string'
      ? execa(command, {...common, shell: this.baseEnv.SHELL || true})
      : execa(command[0] ?? '', command.slice(1), common)
    const flush = options.stream ? [forward(subprocess.stdout), forward(subprocess.stderr)] : []
    let timedOut = false
    let cancelled = false
    const timers: NodeJS.Timeout[] = []
    const pid = subprocess.pid
    const stop = () => {
      if (pid === undefined) return
      if (!group) {
        subprocess.kill('SIGKILL')
        return
      }
      killGroup(pid, 'SIGTERM')
      const hard = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS)
      hard.unref()
      timers.push(hard)
    }
    const onAbort = () => {
      cancelled = true
      stop()
    }
    if (group && pid !== undefined) {
      installExitHandlers()
      liveGroups.add(pid)
      if (options.timeoutMs !== undefined) {
        timers.push(setTimeout(() => {
          timedOut = true
          stop()
        }, options.timeoutMs))
      }
    }
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener('abort', onAbort, {once: true})
    const result = await subprocess
    for (const done of flush) done()
    for (const timer of timers) clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    if (pid !== undefined) {
      // The leader ended; anything it left running in its group must not outlive it once it was stopped.
      if (timedOut || cancelled) killGroup(pid, 'SIGKILL')
      liveGroups.delete(pid)
    }
    return {
      exitCode: typeof result.exitCode === 'number' ? result.exitCode : 1,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? (result.failed && !result.exitCode ? result.message : '')),
      output: String(result.all ?? ''),
      timedOut: timedOut || Boolean(result.timedOut),
      cancelled,
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

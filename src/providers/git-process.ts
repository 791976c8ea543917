// One git process, and git commands started ahead of time. Only node:child_process here: the fast lane loads this
// before the rest of flow (see GitPrefetch), and GitCli (git-cli.ts) runs every piped git command through runGit.
import {spawn} from 'node:child_process'

/** What one git process gave back, as bytes. */
export interface GitOutput {
  stdout: Buffer
  stderr: Buffer
  /** The exit code; 1 when git was ended by a signal. */
  exitCode: number
}

/** The environment flow runs git in: never a credential prompt, messages in English (flow reads some of them). */
export function gitEnv(base: Record<string, string | undefined>, extra?: Record<string, string>): Record<string, string | undefined> {
  return {...base, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...extra}
}

/**
 * Runs git once with an argument vector, collecting stdout (unless it goes to `stdoutFd`) and stderr. Rejects only
 * when git cannot be started (the spawn error, as node gives it).
 */
export function runGit(args: string[], options: {cwd: string; env: Record<string, string | undefined>; input?: string; stdoutFd?: number}): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', options.stdoutFd ?? 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (d: Buffer) => out.push(d))
    child.stderr?.on('data', (d: Buffer) => err.push(d))
    child.on('error', reject)
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {})
      child.stdin.end(options.input)
    }
    child.on('close', (code) => resolve({stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code ?? 1}))
  })
}

/**
 * Read-only git commands started before flow's code has loaded (by the fast lane, as soon as it knows the command
 * line), so that git works while node loads the rest. Each answer is taken at most once, by the first GitCli call
 * with exactly the same arguments, the same directory and no options that change how git runs (GitCli.exec); it
 * then gives what running the command at that moment would have given, the same bytes through the same decoding.
 * Answers not taken are dropped when GitCli runs a command that is not read-only (they could be stale after it).
 * An answer may be undefined (git could not be started, or a joined rev-parse gave no clean split): the caller
 * then runs the command itself.
 */
export class GitPrefetch {
  private readonly answers = new Map<string, Promise<GitOutput | undefined>>()
  /** How many answers were taken (for tests: each started command should be). */
  taken = 0

  constructor(
    readonly cwd: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** Starts `git ARGS` now (once per argument vector). */
  start(args: string[]): void {
    const key = JSON.stringify(args)
    if (this.answers.has(key)) return
    // No answer when git cannot be started: the caller that takes it runs the command again, for its own error.
    this.answers.set(key, runGit(args, {cwd: this.cwd, env: gitEnv(this.env)}).catch(() => undefined))
  }

  /**
   * Starts several `git rev-parse` argument vectors as one process (one process less to start while the CPUs are
   * busiest). rev-parse prints one line per name or option asking something, in order, so when the process exits 0
   * with nothing on stderr and exactly the expected lines, each vector's answer is its own lines: what it prints
   * run alone. Otherwise (an unborn HEAD, outside a repository) there is no answer and each caller runs its own.
   * A part with options that change how later names print (--symbolic-full-name, --abbrev-ref) must come last.
   */
  startRevParse(parts: Array<{args: string[]; lines: number}>): void {
    if (parts.length === 0) return
    const combined = runGit(['rev-parse', ...parts.flatMap((part) => part.args.slice(1))], {cwd: this.cwd, env: gitEnv(this.env)})
    const total = parts.reduce((sum, part) => sum + part.lines, 0)
    // The end of each line, by byte (a path need not be UTF-8): exactly `total` lines, the last one ended.
    const lineEnds = combined.then((out) => {
      const ends: number[] = []
      for (let at = out.stdout.indexOf(0x0a); at >= 0; at = out.stdout.indexOf(0x0a, at + 1)) ends.push(at + 1)
      const whole = out.exitCode === 0 && out.stderr.length === 0 && ends.length === total && ends.at(-1) === out.stdout.length
      return whole ? {stdout: out.stdout, ends} : undefined
    }, () => undefined)
    let first = 0
    for (const part of parts) {
      const from = first
      first += part.lines
      const answer = lineEnds.then((lines): GitOutput | undefined => {
        if (!lines) return undefined
        const start = from === 0 ? 0 : lines.ends[from - 1]!
        return {stdout: lines.stdout.subarray(start, lines.ends[from + part.lines - 1]), stderr: Buffer.alloc(0), exitCode: 0}
      })
      this.answers.set(JSON.stringify(part.args), answer)
    }
  }

  /** The answer to `git ARGS` run in `cwd`, if it was started and not taken yet; taking it forgets it. */
  take(args: string[], cwd: string): Promise<GitOutput | undefined> | undefined {
    if (cwd !== this.cwd) return undefined
    const key = JSON.stringify(args)
    const answer = this.answers.get(key)
    if (answer) this.taken++
    this.answers.delete(key)
    return answer
  }

  /** Forgets every answer not taken yet. */
  clear(): void {
    this.answers.clear()
  }

  /** How many answers are still waiting to be taken. */
  get size(): number {
    return this.answers.size
  }
}

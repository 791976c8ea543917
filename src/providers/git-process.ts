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
 */
export class GitPrefetch {
  private readonly answers = new Map<string, Promise<GitOutput>>()

  constructor(
    readonly cwd: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** Starts `git ARGS` now (once per argument vector). */
  start(args: string[]): void {
    const key = JSON.stringify(args)
    if (this.answers.has(key)) return
    const answer = runGit(args, {cwd: this.cwd, env: gitEnv(this.env)})
    // A spawn error is handled by the caller that takes the answer (GitCli runs the command again).
    answer.catch(() => {})
    this.answers.set(key, answer)
  }

  /** The answer to `git ARGS` run in `cwd`, if it was started and not taken yet; taking it forgets it. */
  take(args: string[], cwd: string): Promise<GitOutput> | undefined {
    if (cwd !== this.cwd) return undefined
    const key = JSON.stringify(args)
    const answer = this.answers.get(key)
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

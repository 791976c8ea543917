import {spawn} from 'node:child_process'
import {mkdtemp, open, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {StringDecoder} from 'node:string_decoder'
import {FlowError} from '../core/errors.js'
import type {Git, GitBytesResult, GitResult, GitRunOptions} from '../core/ports.js'
import {redact} from '../core/redact.js'
import {isReadOnlyGit} from '../engine/read-memo.js'
import {gitEnv, runGit, type GitOutput, type GitPrefetch} from './git-process.js'

/** A NUL byte cannot be passed to a process: refuse the value as usage rather than crash in spawn. */
function refuseNul(args: string[]): void {
  const bad = args.find((a) => a.includes('\0'))
  if (bad !== undefined) {
    throw new FlowError('USAGE', `A value contains a NUL byte: ${JSON.stringify(redact(bad).replaceAll('\0', '\\0').slice(0, 80))}`, {hint: 'Pass names, refs and paths without control characters.'})
  }
}

/** Git through its command line, one argument vector per call, never through a shell. */
export class GitCli implements Git {
  constructor(
    readonly cwd: string,
    private readonly baseEnv: Record<string, string | undefined> = process.env,
    /** Commands the fast lane started ahead of time (see GitPrefetch). */
    private readonly prefetch?: GitPrefetch,
  ) {}

  async run(args: string[], options: GitRunOptions = {}): Promise<string> {
    const result = await this.exec(args, options)
    if (result.exitCode !== 0 && !options.allowFailure) {
      const detail = redact((result.stderr || result.stdout).trim().split('\n').filter(Boolean).slice(-3).join(' / '))
      throw new FlowError('GIT_FAILED', `git ${args[0] ?? ''} failed: ${detail || `exit ${result.exitCode}`}`, {
        hint: 'Run the same git command yourself to see the whole message, or add --debug.',
        details: {args: args.map((a) => redact(a)), exitCode: result.exitCode},
      })
    }
    return result.stdout
  }

  /**
   * git writes into a temporary file rather than a pipe, and flow reads the file as it grows: a pipe holds 64 KiB,
   * so git would stall whenever flow's event loop is busy (loading config while the log runs); a file never blocks
   * it, and parsing still overlaps git's own work. The file is removed afterwards.
   */
  async stream(args: string[], onData: (text: string) => void, options: Pick<GitRunOptions, 'cwd' | 'env'> = {}): Promise<void> {
    refuseNul(args)
    this.forgetPrefetchedBefore(args)
    const dir = await mkdtemp(join(tmpdir(), 'flow-git-'))
    const path = join(dir, 'out')
    const writer = await open(path, 'w')
    const reader = await open(path, 'r')
    try {
      // GIT_FLUSH=0: full buffering (git log otherwise flushes each record when its output is not a regular file).
      const env = gitEnv(this.baseEnv, {GIT_FLUSH: '0', ...options.env})
      const child = spawn('git', args, {cwd: options.cwd ?? this.cwd, env, stdio: ['ignore', writer.fd, 'pipe']})
      const err: Buffer[] = []
      child.stderr?.on('data', (d: Buffer) => err.push(d))
      let exit: {code: number | null} | {error: Error} | undefined
      let wake: (() => void) | undefined
      child.on('error', (error: NodeJS.ErrnoException) => {
        exit = {error: error.code === 'ENOENT' ? new FlowError('GIT_FAILED', 'git was not found on PATH', {hint: 'Install git 2.30 or newer.'}) : error}
        wake?.()
      })
      child.on('close', (code) => {
        exit ??= {code}
        wake?.()
      })
      const decoder = new StringDecoder('utf8')
      const buffer = Buffer.allocUnsafe(1 << 20)
      let position = 0
      for (;;) {
        const finished = exit !== undefined
        const {bytesRead} = await reader.read(buffer, 0, buffer.length, position)
        if (bytesRead > 0) {
          position += bytesRead
          onData(decoder.write(buffer.subarray(0, bytesRead)))
          continue
        }
        if (finished) break
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, 4)
        })
        wake = undefined
      }
      const result = exit!
      if ('error' in result) throw result.error
      if (result.code !== 0) {
        const detail = redact(Buffer.concat(err).toString('utf8').trim().split('\n').filter(Boolean).slice(-3).join(' / '))
        throw new FlowError('GIT_FAILED', `git ${args[0] ?? ''} failed: ${detail || `exit ${result.code}`}`, {
          hint: 'Run the same git command yourself to see the whole message, or add --debug.',
          details: {args: args.map((a) => redact(a)), exitCode: result.code ?? 1},
        })
      }
      const rest = decoder.end()
      if (rest) onData(rest)
    } finally {
      await Promise.all([writer.close(), reader.close()])
      await rm(dir, {recursive: true, force: true})
    }
  }

  exec(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    try {
      refuseNul(args)
    } catch (error) {
      return Promise.reject(error)
    }
    // A command started ahead of time answers the first call asking exactly it, run as it would run here (without
    // an answer, it runs now).
    if (this.prefetch && options.input === undefined && options.env === undefined && !options.large) {
      const answer = this.prefetch.take(args, options.cwd ?? this.cwd)
      if (answer) return answer.then(async (out) => gitResult(out ?? (await this.spawn(args, options)), options))
    }
    this.forgetPrefetchedBefore(args)
    return this.spawn(args, options).then((out) => gitResult(out, options))
  }

  async execBytes(args: string[], options: Pick<GitRunOptions, 'input' | 'env' | 'cwd' | 'large'> = {}): Promise<GitBytesResult> {
    this.forgetPrefetchedBefore(args)
    const out = await this.spawn(args, options)
    return {stdout: out.stdout, stderr: out.stderr.toString('utf8'), exitCode: out.exitCode}
  }

  /** Answers started ahead of time may be stale once git runs a command that is not read-only: they are dropped. */
  private forgetPrefetchedBefore(args: readonly string[]): void {
    if (this.prefetch && this.prefetch.size > 0 && !isReadOnlyGit(args)) this.prefetch.clear()
  }

  /**
   * Runs git once. With `large` (megabytes of output: `cat-file --batch` over a whole record collection), git writes
   * into a temporary file rather than a pipe: through a pipe git and flow trade a few hundred bytes per wake-up
   * (100,000 objects took seconds); into a file git writes at full speed.
   */
  private async spawn(args: string[], options: Pick<GitRunOptions, 'input' | 'env' | 'cwd' | 'large'>): Promise<GitOutput> {
    if (!options.large) return this.runOnce(args, options)
    const dir = await mkdtemp(join(tmpdir(), 'flow-git-'))
    const path = join(dir, 'out')
    const writer = await open(path, 'w')
    try {
      const out = await this.runOnce(args, options, writer.fd)
      return {...out, stdout: await readFile(path)}
    } finally {
      await writer.close()
      await rm(dir, {recursive: true, force: true})
    }
  }

  private async runOnce(args: string[], options: Pick<GitRunOptions, 'input' | 'env' | 'cwd'>, stdoutFd?: number): Promise<GitOutput> {
    try {
      return await runGit(args, {cwd: options.cwd ?? this.cwd, env: gitEnv(this.baseEnv, options.env), input: options.input, stdoutFd})
    } catch (error) {
      throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? new FlowError('GIT_FAILED', 'git was not found on PATH', {hint: 'Install git 2.30 or newer.'}) : error
    }
  }
}

/** A git process's output as GitResult: stdout decoded and (unless raw) without trailing whitespace. */
function gitResult(out: GitOutput, options: Pick<GitRunOptions, 'raw' | 'encoding'>): GitResult {
  const stdout = out.stdout.toString(options.encoding ?? 'utf8')
  return {stdout: options.raw ? stdout : stdout.replace(/\s+$/, ''), stderr: out.stderr.toString('utf8'), exitCode: out.exitCode}
}

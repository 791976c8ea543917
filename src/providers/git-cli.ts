import {spawn} from 'node:child_process'
import {StringDecoder} from 'node:string_decoder'
import {FlowError} from '../core/errors.js'
import type {Git, GitResult, GitRunOptions} from '../core/ports.js'
import {redact} from '../core/redact.js'

/** Git through its command line, one argument vector per call, never through a shell. */
export class GitCli implements Git {
  constructor(
    readonly cwd: string,
    private readonly baseEnv: Record<string, string | undefined> = process.env,
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

  stream(args: string[], onData: (text: string) => void, options: Pick<GitRunOptions, 'cwd' | 'env'> = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      // GIT_FLUSH=0: git log otherwise flushes every record into a pipe (one write per commit), which costs more than the log itself.
      const env = {...this.baseEnv, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_FLUSH: '0', ...options.env}
      const child = spawn('git', args, {cwd: options.cwd ?? this.cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
      const decoder = new StringDecoder('utf8')
      const err: Buffer[] = []
      let failed: unknown
      child.stdout.on('data', (d: Buffer) => {
        if (failed) return
        try {
          onData(decoder.write(d))
        } catch (error) {
          failed = error
          child.kill()
        }
      })
      child.stderr.on('data', (d: Buffer) => err.push(d))
      child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new FlowError('GIT_FAILED', 'git was not found on PATH', {hint: 'Install git 2.30 or newer.'}) : error))
      child.on('close', (code) => {
        if (failed) return reject(failed)
        const rest = decoder.end()
        if (rest) onData(rest)
        if (code === 0) return resolve()
        const detail = redact(Buffer.concat(err).toString('utf8').trim().split('\n').filter(Boolean).slice(-3).join(' / '))
        reject(new FlowError('GIT_FAILED', `git ${args[0] ?? ''} failed: ${detail || `exit ${code}`}`, {
          hint: 'Run the same git command yourself to see the whole message, or add --debug.',
          details: {args: args.map((a) => redact(a)), exitCode: code ?? 1},
        }))
      })
    })
  }

  exec(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: options.cwd ?? this.cwd,
        env: {...this.baseEnv, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env},
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      })
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout?.on('data', (d: Buffer) => out.push(d))
      child.stderr?.on('data', (d: Buffer) => err.push(d))
      child.on('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'ENOENT'
          ? new FlowError('GIT_FAILED', 'git was not found on PATH', {hint: 'Install git 2.30 or newer.'})
          : error)
      })
      if (options.input !== undefined && child.stdin) {
        child.stdin.on('error', () => {})
        child.stdin.end(options.input)
      }
      child.on('close', (code) => {
        const stdout = Buffer.concat(out).toString(options.encoding ?? 'utf8')
        resolve({
          stdout: options.raw ? stdout : stdout.replace(/\s+$/, ''),
          stderr: Buffer.concat(err).toString('utf8'),
          exitCode: code ?? 1,
        })
      })
    })
  }
}

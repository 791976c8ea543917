import type {Git, GitResult, GitRunOptions} from '../core/ports.js'

/** Positional arguments of a git command line (after the subcommand). */
const positionals = (args: readonly string[]) => args.slice(1).filter((a) => !a.startsWith('-'))

/** True when a git command line only reads the repository (asked twice in a row, it answers the same). */
export function isReadOnlyGit(args: readonly string[]): boolean {
  const [command, sub] = args
  switch (command) {
    case 'rev-parse':
    case 'for-each-ref':
    case 'show-ref':
    case 'ls-remote':
    case 'merge-base':
    case 'rev-list':
    case 'cat-file':
    case 'check-ref-format':
      return true
    case 'symbolic-ref':
      // With two names it points HEAD somewhere; -d deletes.
      return positionals(args).length <= 1 && !args.includes('-d') && !args.includes('--delete')
    case 'config':
      return args.some((a) => a === '--get' || a === '--get-all' || a === '--get-regexp' || a === '-l' || a === '--list')
    case 'remote':
      return sub === 'get-url'
    case 'stash':
    case 'worktree':
      return sub === 'list'
    default:
      return false
  }
}

/**
 * A git port for the checks a step runs before its effect (isDone, the ref snapshot, prepare), which often ask git
 * the same questions: a read-only command line already asked (or being asked) is not run again, its answer is
 * shared. Any other command runs as usual and forgets every answer. Only for that read phase: a step's run() gets
 * the plain port.
 */
export function memoGit(git: Git): Git {
  const answers = new Map<string, Promise<GitResult | string>>()
  const cacheable = (args: readonly string[], options: GitRunOptions = {}) =>
    options.input === undefined && options.env === undefined && options.cwd === undefined && !options.large && isReadOnlyGit(args)
  const key = (method: string, args: readonly string[], options: GitRunOptions = {}) =>
    JSON.stringify([method, args, options.allowFailure ?? false, options.raw ?? false, options.encoding ?? 'utf8'])
  function ask<T extends GitResult | string>(method: 'run' | 'exec', args: string[], options: GitRunOptions | undefined, call: () => Promise<T>): Promise<T> {
    if (!cacheable(args, options)) {
      answers.clear()
      return call()
    }
    const k = key(method, args, options)
    let answer = answers.get(k) as Promise<T> | undefined
    if (!answer) {
      answer = call()
      answers.set(k, answer)
    }
    return answer
  }
  return {
    cwd: git.cwd,
    run: (args, options) => ask('run', args, options, () => git.run(args, options)),
    exec: (args, options) => ask('exec', args, options, () => git.exec(args, options)),
    ...(git.stream
      ? {
          stream: (args: string[], onData: (text: string) => void, options?: Pick<GitRunOptions, 'cwd' | 'env'>) => {
            answers.clear()
            return git.stream!(args, onData, options)
          },
        }
      : {}),
  }
}

import type {Deps} from '../core/deps.js'
import {systemClock, ulidFactory} from '../core/ids.js'
import type {RecordStore, Reporter} from '../core/ports.js'
import {redact, registerEnvSecrets} from '../core/redact.js'
import {resolveRepo, type RepoInfo} from '../core/repo.js'
import {GitCli} from '../providers/git-cli.js'
import type {GitPrefetch} from '../providers/git-process.js'
import {ExecaShell} from '../providers/execa-shell.js'
import {InquirerPrompter} from '../providers/inquirer-prompter.js'

/** How the run was started. */
export interface DepsOptions {
  cwd: string
  env: Record<string, string | undefined>
  canPrompt: boolean
  json: boolean
  yes: boolean
  debug: boolean
  /** git commands started ahead of time for this run (the fast lane's), answered through the git port. */
  prefetch?: GitPrefetch
}

/** The reporter of a terminal run: progress and warnings on stderr, info on stdout unless --json. */
export function streamReporter(json: boolean): Reporter {
  return {
    progress: (m) => process.stderr.write(`${redact(m)}\n`),
    warn: (m) => process.stderr.write(`warning: ${redact(m)}\n`),
    info: (m) => {
      if (!json) process.stdout.write(`${redact(m)}\n`)
    },
  }
}

/** The composition root: the only place that builds adapters. Registers the env's token variables for redaction. */
export function createDeps(options: DepsOptions): Deps {
  // Whatever env the deps run with, its tokens must be redacted from records, journals and output.
  registerEnvSecrets(options.env)
  const git = new GitCli(options.cwd, options.env, options.prefetch)
  const clock = systemClock
  const ids = ulidFactory(clock)
  let repo: Promise<RepoInfo> | undefined
  let config: ReturnType<Deps['config']> | undefined
  let forge: ReturnType<Deps['forge']> | undefined
  let records: ReturnType<Deps['records']> | undefined
  const deps: Deps = {
    cwd: options.cwd,
    env: options.env,
    git,
    shell: new ExecaShell(options.cwd, options.env),
    prompter: new InquirerPrompter(options.canPrompt),
    reporter: streamReporter(options.json),
    clock,
    ids,
    yes: options.yes,
    repo: () => (repo ??= resolveRepo(git)),
    config: () => (config ??= import('../core/config/load.js').then(({loadConfig}) => loadConfig(git, options.cwd))),
    forge: () => (forge ??= import('../providers/forge-factory.js').then(({createForge}) => createForge(deps))),
    forgeInfo: () => import('../providers/forge-factory.js').then(({describeForge}) => describeForge(deps)),
    records: () => (records ??= import('../providers/git-record-store.js').then(({GitRecordStore}) => new GitRecordStore(git, clock, ids) as unknown as RecordStore)),
    stepKinds: (names) => import('./step-kinds.js').then(({stepKindsFor}) => stepKindsFor(names)),
  }
  return deps
}

// The fast lane: the few command lines that run dozens of times a day or inside git hooks are answered without
// loading oclif (its import and Config.load cost ~50 ms, as much as Node's own start):
// - `flow status [--json]`;
// - `flow gates run [STAGE] [--message-file FILE] [--json]`, the form the git hooks of `flow hooks install` run;
// - `flow metrics dora` with its own flags but --import (--env, --since, --until, --service, --format, --out) and
//   --json, the report a dashboard or a cron job asks for over thousands of records;
// - `flow feature start NAME` with its own flags (--base, --stack, --issue, --type, --stash, --dry-run), --yes and
//   --json (`--flag=value` too); a flag given twice, --base with --stack, or a value starting with "-" go to oclif;
// - `flow [COMMAND...] --help`, from a cache of the text oclif printed the first time for the same command line,
//   terminal width, colour settings, Node, flow build and plugins (bin/run.js fills it).
// Any other argv, and these with any other flag, go to oclif as usual. The command bodies are shared with the
// oclif classes (command-bodies.ts), errors go through the same describeError: the output is the same.
// No @oclif/core here (bundled on its own, dist/bundle/lane/fast-lane.js).
import {createRequire} from 'node:module'
import {mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join, resolve} from 'node:path'
import type {Deps} from '../core/deps.js'
import type {GitPrefetch} from '../providers/git-process.js'
import {parseMetricsDoraArgs} from './metrics-dora-body.js'

/** git commands to start ahead of time: rev-parse vectors joined into one process (GitPrefetch.startRevParse), then others. */
type Prefetch = {revParse: Array<{args: string[]; lines: number}>; commands: string[][]}

type Lane = {
  json: boolean
  yes?: boolean
  /** Read-only git commands the command surely runs first, started before its code loads (see GitPrefetch). */
  prefetch?: Prefetch
  /**
   * Starts loading, all at once, the modules the command loads one after another (each found in the last one's
   * dynamic imports): the same modules, only sooner.
   */
  preload?: () => Array<Promise<unknown>>
  run: (deps: Deps, log: (line: string) => void, json: boolean) => Promise<unknown>
}

/** `metrics dora [flags]` (argv after `metrics dora`; not --import) in the forms oclif would take, or undefined. */
function metricsDoraLane(args: string[], json: boolean): Lane | undefined {
  const flags = parseMetricsDoraArgs(args)
  if (!flags) return undefined
  return {
    json,
    preload: () => [import('./metrics-dora-body.js'), import('../core/metrics/run-metrics.js'), import('../core/config/load.js')],
    run: async (deps, log, json) => (await import('./metrics-dora-body.js')).metricsDoraBody(deps, flags, {json, cwd: resolve(process.cwd()), log}),
  }
}

/** `feature start NAME [flags]` (argv after `feature start`) in the forms oclif would take, or undefined. */
function featureStartLane(args: string[], json: boolean, env: Record<string, string | undefined>): Lane | undefined {
  const values: Record<string, string> = {}
  const switches = new Set<string>()
  let name: string | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const eq = a.indexOf('=')
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a
    if (flag === '--base' || flag === '--issue' || flag === '--type') {
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : args[++i]
      if (value === undefined || value === '' || value.startsWith('-') || flag in values) return undefined
      values[flag] = value
    } else if (['--yes', '-y', '--stash', '--stack', '--dry-run'].includes(a)) {
      const key = a === '-y' ? '--yes' : a
      if (switches.has(key)) return undefined
      switches.add(key)
    } else if (!a.startsWith('-') && name === undefined) {
      name = a
    } else {
      return undefined
    }
  }
  const type = values['--type'] ?? 'feature'
  if (name === undefined || (type !== 'feature' && type !== 'hotfix') || ('--base' in values && switches.has('--stack'))) return undefined
  const input = {
    name, base: values['--base'], stack: switches.has('--stack'), issue: values['--issue'], type: type as 'feature' | 'hotfix',
    stash: switches.has('--stash'), dryRun: switches.has('--dry-run'),
  }
  return {
    json,
    yes: switches.has('--yes'),
    prefetch: featureStartReads(input, env),
    preload: () => [
      import('./feature-start-body.js'),
      import('../core/config/load.js'),
      import('../engine/runner.js'),
      ...(input.dryRun ? [] : [import('./step-kinds.js'), import('../engine/steps/git-steps.js'), import('../core/feature/feature-steps.js')]),
    ],
    run: async (deps, log) => (await import('./feature-start-body.js')).featureStartBody(deps, input, {log}),
  }
}

/**
 * What `flow feature start` asks git before anything else, with the very argument vectors of its code: the dirty
 * check (lineage.ts isDirty), the repository (repo.ts), the remote (lineage.ts hasRemote, not with --stack, for a
 * hotfix or offline) and the checkout the run starts from (refs.ts headState, not in a dry run). An argument vector
 * changed there and not here only loses the head start (test/feature/start.test.ts checks that each is taken).
 */
export function featureStartReads(input: {stack: boolean; type: 'feature' | 'hotfix'; dryRun: boolean}, env: Record<string, string | undefined>): Prefetch {
  const offline = env.FLOW_OFFLINE === '1' || env.FLOW_OFFLINE === 'true'
  // The quick ones first: starting a process waits until it runs, which takes longer once git status keeps the CPUs busy.
  return {
    revParse: [
      {args: ['rev-parse', '--show-toplevel', '--git-dir', '--git-common-dir', '--git-path', 'flow'], lines: 4},
      ...(input.dryRun ? [] : [{args: ['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD', '--abbrev-ref=loose', 'HEAD'], lines: 3}]),
    ],
    commands: [
      ...(!input.stack && input.type !== 'hotfix' && !offline ? [['remote', 'get-url', 'origin']] : []),
      ['status', '--porcelain'],
    ],
  }
}

/** The argv forms of the fast lane, or undefined (then oclif runs the command). */
export function matchLane(argv: string[], env: Record<string, string | undefined>): Lane | undefined {
  // oclif's own switches of output or debugging: leave those to oclif.
  if (env.FLOW_CONTENT_TYPE || env.FLOW_DEBUG || env.DEBUG) return undefined
  const json = argv.includes('--json')
  const rest = argv.filter((a) => a !== '--json')
  if (argv.filter((a) => a === '--json').length > 1) return undefined
  if (rest.length === 1 && rest[0] === 'status') {
    return {json, run: async (deps, log, json) => (await import('./command-bodies.js')).statusBody(deps, {json, log})}
  }
  if (rest[0] === 'feature' && rest[1] === 'start') return featureStartLane(rest.slice(2), json, env)
  if (rest[0] === 'metrics' && rest[1] === 'dora') return metricsDoraLane(rest.slice(2), json)
  if (rest[0] !== 'gates' || rest[1] !== 'run') return undefined
  let stage: string | undefined
  let messageFile: string | undefined
  for (let i = 2; i < rest.length; i++) {
    const a = rest[i]!
    if (a === '--message-file' && messageFile === undefined && i + 1 < rest.length) messageFile = rest[++i]
    else if (/^[\w][\w.:-]*$/.test(a) && stage === undefined) stage = a
    else return undefined
  }
  return {json, run: async (deps, log, json) => (await import('./command-bodies.js')).gatesRunBody(deps, {stage, messageFile}, {json, log})}
}

/** Runs argv in the fast lane when it is one of its forms; false when oclif must run it. */
export async function fastLane(argv: string[]): Promise<boolean> {
  const lane = matchLane(argv, process.env)
  if (!lane) return false
  if (process.env.NO_COLOR && !process.env.FORCE_COLOR) process.env.FORCE_COLOR = '0'
  const cwd = resolve(process.cwd())
  // git starts on what the command asks first while the rest of flow loads (in the environment GitCli runs it in).
  let prefetch: GitPrefetch | undefined
  if (lane.prefetch) {
    const {GitPrefetch} = await import('../providers/git-process.js')
    prefetch = new GitPrefetch(cwd, process.env)
    prefetch.startRevParse(lane.prefetch.revParse)
    for (const args of lane.prefetch.commands) prefetch.start(args)
  }
  for (const loading of lane.preload?.() ?? []) loading.catch(() => {})
  const {redact, redactValue, registerEnvSecrets} = await import('../core/redact.js')
  registerEnvSecrets(process.env)
  const json = lane.json
  const writeJson = (doc: unknown) => process.stdout.write(`${JSON.stringify(redactValue(doc), null, 2)}\n`)
  try {
    const {createDeps} = await import('./deps.js')
    const yes = lane.yes ?? false
    const canPrompt = Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI && !json && !yes)
    const deps = createDeps({cwd, env: process.env, canPrompt, json, yes, debug: false, prefetch})
    const result = await lane.run(deps, (line) => {
      if (!json) process.stdout.write(`${redact(line)}\n`)
    }, json)
    if (json && result) writeJson(result)
  } catch (error) {
    const {describeError} = await import('./describe-error.js')
    const {doc, exit} = describeError(error)
    if (json) {
      writeJson(doc)
    } else {
      const {default: chalk} = await import('chalk')
      process.stderr.write(`${chalk.red('Error:')} ${redact(doc.error.message)}\n`)
      if (doc.error.hint) process.stderr.write(`${chalk.dim('Hint:')} ${redact(doc.error.hint)}\n`)
    }
    process.exitCode = exit
  }
  return true
}

/** The file that holds oclif's help text for this argv, or undefined when argv is not a plain `[COMMAND...] --help`. */
export function helpCacheFile(argv: string[], root: string, env: Record<string, string | undefined> = process.env): string | undefined {
  if (argv.at(-1) !== '--help' || !argv.slice(0, -1).every((a) => /^[a-z][\w-]*$/.test(a))) return undefined
  if (env.FLOW_CONTENT_TYPE || env.FLOW_DEBUG || env.DEBUG) return undefined
  const stamp = (path: string) => {
    try {
      const s = statSync(path)
      return `${s.size}:${s.mtimeMs}`
    } catch {
      return 'absent'
    }
  }
  let plugins: string[] = []
  try {
    plugins = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {oclif?: {plugins?: string[]}}).oclif?.plugins ?? []
  } catch {
    return undefined
  }
  // node:crypto only here, loaded when needed (the lane's commands never need it).
  const {createHash} = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
  const key = createHash('sha256').update(JSON.stringify([
    argv,
    process.version,
    process.platform,
    process.arch,
    Boolean(process.stdout.isTTY),
    process.stdout.columns ?? null,
    ['COLUMNS', 'OCLIF_COLUMNS', 'FORCE_COLOR', 'NO_COLOR', 'TERM', 'COLORTERM', 'CI'].map((k) => env[k] ?? null),
    ['package.json', 'oclif.manifest.json'].map((f) => stamp(join(root, f))),
    plugins.map((p) => stamp(join(root, 'node_modules', p, 'package.json'))),
  ])).digest('hex').slice(0, 32)
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'flow', 'help', `${key}.txt`)
}

/** The cached help text of argv, if any. */
export function cachedHelp(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** Keeps what oclif printed for argv's help (written whole, then renamed: a parallel run never reads half). */
export function storeHelp(file: string, text: string): void {
  try {
    mkdirSync(join(file, '..'), {recursive: true})
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, text)
    renameSync(tmp, file)
  } catch {
    // an unwritable cache only costs the next run oclif's help
  }
}

import type {Deps} from '../deps.js'
import {activeFreeze, nextFreeze} from '../config/freeze.js'
import {FlowError} from '../errors.js'
import type {DeploymentFact} from '../records/facts.js'
import {lockEvents, readEnvRecords, requireEnvironment, resolveSha} from './context.js'
import {foldLock, liveDeployment, toFact, type EnvLock} from './facts.js'
import {strategyName} from './plan.js'
import {freezeWindowsOf} from './policy.js'

/** One environment as `flow env list` and `flow env status` show it. */
export interface EnvStatus {
  name: string
  strategy: string
  url?: string
  after: string[]
  /** The live deployment. */
  deployed?: {deployment: string; sha: string; version?: string; at: string; by?: string; kind: string}
  /** The last health check recorded for the live deployment. */
  health: 'healthy' | 'unhealthy' | 'unknown'
  /** The latest deployment when it did not succeed (failed, rolled back, or still in progress). */
  lastAttempt?: {deployment: string; sha: string; outcome: string; at: string}
  lock: EnvLock
  /** The freeze in force, else the next one within a week. */
  freeze?: {active: boolean; window: string; start: string; end: string}
  /** Commits live in the environment(s) it comes after that are not live here yet. */
  waiting?: number
  approvals: number
}

const WEEK = 7 * 86_400_000

/** The state of every environment (or one): what runs where, health, lock, freeze, what waits to be promoted. */
export async function environmentStatus(deps: Pick<Deps, 'config' | 'records' | 'git' | 'clock'>, only?: string): Promise<{environments: EnvStatus[]}> {
  const config = (await deps.config()).config
  if (only) requireEnvironment(config, only)
  const records = await readEnvRecords(deps)
  const now = deps.clock.now()
  // Preview templates are not deployed to themselves: their previews are listed by flow env list instead.
  const names = only ? [only] : Object.keys(config.environments).filter((n) => !config.environments[n]!.preview)
  const environments: EnvStatus[] = []
  for (const name of names) {
    const env = config.environments[name]!
    const live = liveDeployment(records.deployments, name)
    const latest = records.deployments.filter((d) => d.environment === name).at(-1)
    const last = live?.health.at(-1)
    const freeze = nextFreeze(freezeWindowsOf(config, name), now, WEEK)
    const active = activeFreeze(freezeWindowsOf(config, name), now)
    let waiting: number | undefined
    const source = env.after.map((a) => liveDeployment(records.deployments, a)).find((d) => d !== undefined)
    if (source && source.sha !== live?.sha) {
      const range = live ? `${live.sha}..${source.sha}` : source.sha
      const count = await deps.git.exec(['rev-list', '--count', range])
      waiting = count.exitCode === 0 ? Number(count.stdout.trim()) : undefined
    } else if (source) waiting = 0
    environments.push({
      name, strategy: strategyName(env), ...(env.url ? {url: env.url} : {}), after: env.after,
      ...(live ? {deployed: {deployment: live.id, sha: live.sha, ...(live.version ? {version: live.version} : {}), at: live.finishedAt ?? live.startedAt, ...(live.actor ? {by: live.actor} : {}), kind: live.kind}} : {}),
      health: !last ? 'unknown' : last.ok ? 'healthy' : 'unhealthy',
      ...(latest && latest !== live && latest.number > (live?.number ?? 0) ? {lastAttempt: {deployment: latest.id, sha: latest.sha, outcome: latest.outcome, at: latest.startedAt}} : {}),
      lock: foldLock(lockEvents(records, name)),
      ...(freeze ? {freeze: {active: active !== undefined, window: freeze.window.text, start: freeze.start.toISOString(), end: freeze.end.toISOString()}} : {}),
      ...(waiting === undefined ? {} : {waiting}),
      approvals: env.approvals,
    })
  }
  return {environments}
}

/** The deployments of one environment, newest first (`flow env history`). */
export async function environmentHistory(deps: Pick<Deps, 'config' | 'records'>, name: string, limit?: number): Promise<{environment: string; deployments: DeploymentFact[]}> {
  requireEnvironment((await deps.config()).config, name)
  const records = await readEnvRecords(deps)
  const mine = records.deployments.filter((d) => d.environment === name).reverse()
  return {environment: name, deployments: (limit ? mine.slice(0, limit) : mine).map(toFact)}
}

/** One commit of `flow env diff`. */
export interface DiffCommit {
  sha: string
  subject: string
  author: string
  /** The pull request it came from, from its subject (`(#12)`) or merge message. */
  pullRequest?: number
}

/** The commits (and pull requests) between what two environments run. */
export async function environmentDiff(deps: Pick<Deps, 'config' | 'records' | 'git'>, a: string, b: string): Promise<{from: {environment: string; sha?: string}; to: {environment: string; sha?: string}; commits: DiffCommit[]; pullRequests: number[]}> {
  const config = (await deps.config()).config
  requireEnvironment(config, a)
  requireEnvironment(config, b)
  const records = await readEnvRecords(deps)
  const liveA = liveDeployment(records.deployments, a)
  const liveB = liveDeployment(records.deployments, b)
  if (!liveB) throw new FlowError('USAGE', `Nothing is deployed to ${b}`, {hint: `flow env deploy ${b} first.`})
  await resolveSha(deps.git, liveB.sha)
  const range = liveA ? `${liveA.sha}..${liveB.sha}` : liveB.sha
  const log = await deps.git.run(['log', '--format=%H%x1f%s%x1f%ae%x1e', range])
  const commits = log.split('\x1e').map((l) => l.trim()).filter(Boolean).map((line): DiffCommit => {
    const [sha, subject, author] = line.split('\x1f') as [string, string, string]
    const pr = /\(#(\d+)\)\s*$/.exec(subject) ?? /^Merge pull request #(\d+)/.exec(subject)
    return {sha, subject, author, ...(pr ? {pullRequest: Number(pr[1])} : {})}
  })
  return {
    from: {environment: a, ...(liveA ? {sha: liveA.sha} : {})}, to: {environment: b, sha: liveB.sha}, commits,
    pullRequests: [...new Set(commits.flatMap((c) => (c.pullRequest === undefined ? [] : [c.pullRequest])))],
  }
}

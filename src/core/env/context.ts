import type {Deps} from '../deps.js'
import type {FlowConfig} from '../config/schema.js'
import {FlowError} from '../errors.js'
import type {Git, RecordEvent, RecordStore} from '../ports.js'
import {DEPLOYMENTS_COLLECTION} from '../records/facts.js'
import {tagPattern} from '../release/tags.js'
import {approvalsRecordId, deploymentRecords, lockRecordId, type DeploymentRecord} from './facts.js'

/** The environment of flow.yml by name; USAGE naming the environments when there is none of that name. */
export function requireEnvironment(config: FlowConfig, name: string): FlowConfig['environments'][string] {
  const env = config.environments[name]
  if (!env) {
    const names = Object.keys(config.environments)
    throw new FlowError('USAGE', `${name} is not an environment of flow.yml`, {hint: names.length > 0 ? `Environments: ${names.join(', ')}.` : 'Define environments in flow.yml (flow config schema shows how).'})
  }
  return env
}

/** The commit a ref names; USAGE when it names none. */
export async function resolveSha(git: Git, ref: string): Promise<string> {
  const result = await git.exec(['rev-parse', '--verify', '-q', `${ref}^{commit}`])
  if (result.exitCode !== 0 || !result.stdout.trim()) throw new FlowError('USAGE', `${ref} names no commit here`, {hint: 'Pass a branch, tag or sha that exists locally (git fetch first).'})
  return result.stdout.trim()
}

/** The release version of a sha: the highest release tag (flow.yml release.tag) pointing at it. */
export async function versionOf(git: Git, config: FlowConfig, sha: string): Promise<string | undefined> {
  const tags = await git.exec(['tag', '--points-at', sha])
  if (tags.exitCode !== 0) return undefined
  let pattern
  try {
    pattern = tagPattern(config.release.tag)
  } catch {
    return undefined
  }
  const versions = tags.stdout.split('\n').map((t) => pattern.parse(t.trim())).filter((v): v is string => v !== undefined)
  if (versions.length === 0) return undefined
  const {default: semver} = await import('semver')
  return versions.sort(semver.rcompare)[0]
}

/** Who is acting: git user.email. */
export async function actorOf(git: Git): Promise<string | undefined> {
  const email = await git.exec(['config', '--get', 'user.email'])
  return email.exitCode === 0 && email.stdout.trim() ? email.stdout.trim() : undefined
}

/** Everything recorded about deployments, locks and approvals, read once. */
export interface EnvRecords {
  store: RecordStore
  deployments: DeploymentRecord[]
  events: Map<string, RecordEvent[]>
}

/** Reads the deployments collection once. */
export async function readEnvRecords(deps: Pick<Deps, 'records'>): Promise<EnvRecords> {
  const store = await deps.records()
  const [deployments, events] = await Promise.all([deploymentRecords(store), store.collection(DEPLOYMENTS_COLLECTION)])
  return {store, deployments, events}
}

/** The lock events of an environment. */
export const lockEvents = (records: EnvRecords, env: string): RecordEvent[] => records.events.get(lockRecordId(env)) ?? []
/** The approval events of an environment. */
export const approvalEvents = (records: EnvRecords, env: string): RecordEvent[] => records.events.get(approvalsRecordId(env)) ?? []

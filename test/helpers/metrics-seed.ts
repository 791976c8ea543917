import {execFileSync} from 'node:child_process'
import {systemClock, ulidFactory} from '../../src/core/ids.js'
import type {DeploymentFact, IncidentFact} from '../../src/core/records/facts.js'
import {DEPLOYMENTS_COLLECTION, INCIDENTS_COLLECTION} from '../../src/core/records/facts.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {GitRecordStore} from '../../src/providers/git-record-store.js'
import type {TempRepo} from './temp-repo.js'

/** The record store of a temp repo. */
export function recordStore(repo: TempRepo): GitRecordStore {
  return new GitRecordStore(new GitCli(repo.dir, repo.env), systemClock, ulidFactory(systemClock))
}

/**
 * Writes deployments and incidents to the repo's record store, one event per record holding the fact's fields
 * (the shape the minimal folds of src/core/metrics/sources.ts read).
 */
export async function seedFacts(repo: TempRepo, facts: {deployments?: DeploymentFact[]; incidents?: IncidentFact[]}): Promise<void> {
  const entries = [
    ...(facts.deployments ?? []).map(({id, ...data}) => ({collection: DEPLOYMENTS_COLLECTION, recordId: id, event: {type: 'recorded', at: data.startedAt, data: data as unknown as Record<string, unknown>}})),
    ...(facts.incidents ?? []).map(({id, ...data}) => ({collection: INCIDENTS_COLLECTION, recordId: id, event: {type: 'recorded', at: data.declaredAt, data: data as unknown as Record<string, unknown>}})),
  ]
  await recordStore(repo).appendMany(entries)
}

/** Commits on the current branch with the given author and committer times; returns the new sha. */
export function commitAt(repo: TempRepo, message: string, authored: string, committed = authored): string {
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {cwd: repo.dir, env: {...repo.env, GIT_AUTHOR_DATE: authored, GIT_COMMITTER_DATE: committed}})
  return repo.git('rev-parse', 'HEAD')
}

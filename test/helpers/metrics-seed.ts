import {execFileSync} from 'node:child_process'
import {systemClock, ulidFactory} from '../../src/core/ids.js'
import type {DeploymentFact, IncidentFact} from '../../src/core/records/facts.js'
import {deploymentEvents, incidentEvents, writeFactEvents} from '../../src/core/metrics/fact-events.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {GitRecordStore} from '../../src/providers/git-record-store.js'
import type {TempRepo} from './temp-repo.js'

/** The record store of a temp repo. */
export function recordStore(repo: TempRepo): GitRecordStore {
  return new GitRecordStore(new GitCli(repo.dir, repo.env), systemClock, ulidFactory(systemClock))
}

/** Writes deployments and incidents to the repo's record store as the events the environments and incidents features fold. */
export async function seedFacts(repo: TempRepo, facts: {deployments?: DeploymentFact[]; incidents?: IncidentFact[]}): Promise<void> {
  const store = recordStore(repo)
  await writeFactEvents(store, (facts.deployments ?? []).map((d) => deploymentEvents(d)))
  await writeFactEvents(store, (facts.incidents ?? []).map((i) => incidentEvents(i)))
}

/** Commits on the current branch with the given author and committer times; returns the new sha. */
export function commitAt(repo: TempRepo, message: string, authored: string, committed = authored): string {
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {cwd: repo.dir, env: {...repo.env, GIT_AUTHOR_DATE: authored, GIT_COMMITTER_DATE: committed}})
  return repo.git('rev-parse', 'HEAD')
}

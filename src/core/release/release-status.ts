import type {Deps} from '../deps.js'
import {currentJournal} from '../../engine/runner.js'
import {viewRun, type RunView} from '../../engine/status.js'
import {remoteRefs} from '../../engine/steps/git-steps.js'
import {releaseContext} from './context.js'

/** What `flow release status` reports. */
export interface ReleaseStatusResult {
  /** The paused or interrupted `release cut`, or null. */
  run: RunView | null
  tag: string | null
  version: string | null
  /** Where the release stands in the real world (null: not checked, e.g. no tag known). */
  state: {
    tagLocal: string | null
    tagRemote: string | null | 'unknown'
    release: 'none' | 'draft' | 'published' | 'unknown'
    url?: string
  } | null
  /** What `flow continue` would do next (the steps not done yet). */
  continueWould: string[]
  lastTag: string | null
  summary: string
}

/** Explains a half-done release: the paused run, the tag here and on origin, the forge release. */
export async function releaseStatus(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env' | 'forge'>, input: {package?: string} = {}): Promise<ReleaseStatusResult> {
  const {flowDir} = await deps.repo()
  const journal = await currentJournal(flowDir)
  const run = journal && journal.command === 'release cut' ? viewRun(journal) : null
  const pkg = input.package ?? (run && typeof run.inputs.package === 'string' ? run.inputs.package : undefined)
  const ctx = await releaseContext(deps, pkg === undefined ? {} : {package: pkg})
  const tag = run ? String(run.inputs.tag ?? '') || null : ctx.lastTag?.name ?? null
  let state: ReleaseStatusResult['state'] = null
  if (tag) {
    const local = await deps.git.exec(['rev-parse', '-q', '--verify', `refs/tags/${tag}^{commit}`])
    let tagRemote: string | null | 'unknown' = 'unknown'
    if ((await deps.git.exec(['remote', 'get-url', 'origin'])).exitCode === 0) {
      try {
        tagRemote = (await remoteRefs(deps.git, 'origin', [`refs/tags/${tag}`]))[`refs/tags/${tag}`] ?? null
      } catch {
        tagRemote = 'unknown'
      }
    }
    let release: NonNullable<ReleaseStatusResult['state']>['release'] = 'unknown'
    let url: string | undefined
    try {
      const found = await (await deps.forge()).findReleaseByTag(tag)
      release = found ? (found.draft ? 'draft' : 'published') : 'none'
      url = found?.url
    } catch {
      release = 'unknown'
    }
    state = {tagLocal: local.exitCode === 0 && local.stdout ? local.stdout : null, tagRemote, release, ...(url ? {url} : {})}
  }
  const continueWould = run ? run.steps.filter((s) => s.status !== 'done').map((s) => s.description) : []
  const summary = run
    ? `flow release cut of ${tag} is ${run.status} at step ${run.step} of ${run.total} (${run.steps[run.step - 1]?.description ?? ''})${run.error ? `: ${run.error.message}` : ''}`
    : tag ? `No release in progress; the last release is ${tag}${state ? ` (${state.release === 'published' ? 'published' : state.release === 'draft' ? 'still a draft on the forge' : state.release === 'none' ? 'no forge release' : 'forge not reachable'})` : ''}` : 'No release in progress and no release tag yet'
  return {run, tag, version: tag ? ctx.pattern.parse(tag) ?? null : null, state, continueWould, lastTag: ctx.lastTag?.name ?? null, summary}
}

import {ulidFactory} from '../../src/core/ids.js'
import {resolveRepo} from '../../src/core/repo.js'
import type {EngineDeps} from '../../src/engine/runner.js'
import {gitStepKinds} from '../../src/engine/steps/git-steps.js'
import type {StepKind} from '../../src/engine/types.js'
import {GitCli} from '../../src/providers/git-cli.js'
import type {TempRepo} from '../helpers/temp-repo.js'

/** Engine deps on a temp repo's working tree, with the git step kinds (plus any given), collecting warnings. */
export function repoDeps(repo: TempRepo, extraKinds: StepKind[] = [], cwd = repo.dir): EngineDeps & {warnings: string[]; progress: string[]} {
  const git = new GitCli(cwd, repo.env)
  const clock = {now: () => new Date()}
  const warnings: string[] = []
  const progress: string[] = []
  return {
    cwd,
    git,
    shell: {run: async () => ({exitCode: 0, stdout: '', stderr: '', timedOut: false, durationMs: 0}), which: async () => undefined},
    reporter: {progress: (m) => progress.push(m), warn: (m) => warnings.push(m), info: () => {}},
    clock,
    ids: ulidFactory(clock),
    forge: () => Promise.reject(new Error('no forge here')),
    records: () => Promise.reject(new Error('no records here')),
    repo: () => resolveRepo(git),
    stepKinds: async () => [...gitStepKinds, ...extraKinds],
    warnings,
    progress,
  }
}

/** Awaits a promise expected to reject and returns what it threw. */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject')
}

import {readFile, rm, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {mkdir} from 'node:fs/promises'
import {FlowError} from '../errors.js'
import type {Forge, Git, Release} from '../ports.js'
import type {StepContext, StepKind} from '../../engine/types.js'
import {changelogHasVersion, prependChangelog} from './notes.js'

/** Input of `release.files`: the changelog section to prepend and the files whose version is set. */
export interface ReleaseFilesInput {
  version: string
  changelog?: {path: string; section: string}
  /** Files whose version field is set (package.json and `release.bump`), relative to the repository root. */
  bump: string[]
}

/** Input of `release.commit`. */
export interface ReleaseCommitInput {
  message: string
  files: string[]
}

/** Input of `release.tag`. */
export interface ReleaseTagInput {
  tag: string
  message: string
}

/** Input of `release.draft`: the forge release, created as a draft. */
export interface ReleaseDraftInput {
  tag: string
  name: string
  body: string
  prerelease: boolean
}

/** Input of `release.publish`. */
export interface ReleasePublishInput {
  tag: string
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

const JSON_VERSION = /("version"\s*:\s*")([^"]*)(")/
const KEY_VERSION = /^(\s*version\s*[=:]\s*["']?)([^"'\s]+)(["']?)/m

/** Sets the version in a file's text: the first `"version": "..."` of a JSON file, else the first `version = "..."` line. */
export function setVersionText(path: string, text: string, version: string): string {
  const pattern = path.endsWith('.json') ? JSON_VERSION : KEY_VERSION
  if (!pattern.test(text)) throw new FlowError('CONFIG_INVALID', `${path} has no version field to bump`, {hint: 'Remove it from release.bump, or add a version field.'})
  return text.replace(pattern, (_, a: string, _old: string, b: string) => `${a}${version}${b}`)
}

/** The version a file states, or undefined. */
export function versionInText(path: string, text: string): string | undefined {
  const match = (path.endsWith('.json') ? JSON_VERSION : KEY_VERSION).exec(text)
  return match?.[2]
}

const root = (ctx: StepContext) => ctx.git.run(['rev-parse', '--show-toplevel'])

async function filesDone(ctx: StepContext, input: ReleaseFilesInput): Promise<boolean> {
  const top = await root(ctx)
  if (input.changelog) {
    const text = await readText(join(top, input.changelog.path))
    if (text === undefined || !changelogHasVersion(text, input.version)) return false
  }
  for (const file of input.bump) {
    const text = await readText(join(top, file))
    if (text === undefined || versionInText(file, text) !== input.version) return false
  }
  return true
}

const filesOf = (input: ReleaseFilesInput) => [...(input.changelog ? [input.changelog.path] : []), ...input.bump]

/** `release.files`: prepends the changelog section and sets the version in the bump files; undone by restoring them. */
export const releaseFilesStep: StepKind<ReleaseFilesInput> = {
  kind: 'release.files',
  describe: (input) => `Update ${filesOf(input).join(', ') || 'no files'} for ${input.version}`,
  async prepare(ctx, input) {
    const top = await root(ctx)
    const existed: Record<string, boolean> = {}
    for (const file of filesOf(input)) existed[file] = (await readText(join(top, file))) !== undefined
    return {head: await ctx.git.run(['rev-parse', 'HEAD']), existed}
  },
  isDone: (ctx, input) => filesDone(ctx, input),
  async run(ctx, input) {
    const top = await root(ctx)
    if (input.changelog) {
      const path = join(top, input.changelog.path)
      const text = await readText(path)
      if (text === undefined || !changelogHasVersion(text, input.version)) {
        await mkdir(dirname(path), {recursive: true})
        await writeFile(path, prependChangelog(text, input.changelog.section))
      }
    }
    for (const file of input.bump) {
      const path = join(top, file)
      const text = await readText(path)
      if (text === undefined) throw new FlowError('CONFIG_INVALID', `${file} (in release.bump) does not exist`, {hint: 'Fix release.bump in flow.yml.'})
      await writeFile(path, setVersionText(file, text, input.version))
    }
    return {files: filesOf(input)}
  },
  async undo(ctx, input, entry) {
    const top = await root(ctx)
    const head = entry.prepared?.head as string | undefined
    const existed = (entry.prepared?.existed ?? {}) as Record<string, boolean>
    for (const file of filesOf(input)) {
      if (existed[file] && head) await ctx.git.run(['checkout', head, '--', file])
      else {
        await ctx.git.exec(['rm', '-q', '--cached', '--ignore-unmatch', '--', file])
        await rm(join(top, file), {force: true})
      }
    }
  },
}

async function headInfo(git: Git): Promise<{sha: string; parent: string | null; subject: string}> {
  const out = await git.run(['log', '-1', '--format=%H%x00%P%x00%s'])
  const [sha = '', parents = '', subject = ''] = out.split('\x00')
  return {sha, parent: parents.split(' ')[0] || null, subject}
}

/** `release.commit`: commits the release files; done when HEAD is that commit on top of where the run began. */
export const releaseCommitStep: StepKind<ReleaseCommitInput> = {
  kind: 'release.commit',
  describe: (input) => `Commit "${input.message}"`,
  async prepare(ctx) {
    return {parent: await ctx.git.run(['rev-parse', 'HEAD'])}
  },
  async isDone(ctx, input) {
    const head = await headInfo(ctx.git)
    const parent = ctx.prepared?.parent as string | undefined
    return parent !== undefined && head.parent === parent && head.subject === input.message ? {sha: head.sha} : false
  },
  async run(ctx, input) {
    if (input.files.length > 0) await ctx.git.run(['add', '--', ...input.files])
    await ctx.git.run(['commit', '-q', '--no-verify', '-m', input.message])
    return {sha: await ctx.git.run(['rev-parse', 'HEAD'])}
  },
  async undo(ctx, input, entry) {
    const parent = entry.prepared?.parent as string | undefined
    const made = entry.output?.sha as string | undefined
    const head = await headInfo(ctx.git)
    if (!parent || head.sha === parent) return
    if (head.sha !== made) throw new FlowError('UNDO_IMPOSSIBLE', `HEAD moved since the release commit ${made?.slice(0, 7) ?? ''}; left as it is`)
    await ctx.git.run(['reset', '-q', '--mixed', parent])
  },
}

async function tagCommit(git: Git, tag: string): Promise<string | null> {
  const result = await git.exec(['rev-parse', '-q', '--verify', `refs/tags/${tag}^{commit}`])
  return result.exitCode === 0 && result.stdout ? result.stdout : null
}

/** `release.tag`: an annotated tag on the release commit (HEAD); done when the tag exists at that commit. */
export const releaseTagStep: StepKind<ReleaseTagInput> = {
  kind: 'release.tag',
  describe: (input) => `Create the annotated tag ${input.tag}`,
  async isDone(ctx, input) {
    const [at, head] = await Promise.all([tagCommit(ctx.git, input.tag), ctx.git.run(['rev-parse', 'HEAD'])])
    if (at === null) return false
    if (at !== head) throw new FlowError('POLICY_BLOCKED', `Tag ${input.tag} already exists at ${at.slice(0, 7)}, not at the release commit ${head.slice(0, 7)}`, {hint: 'Delete the stray tag (git tag -d), or cut another version.'})
    return {tag: input.tag, commit: at}
  },
  async run(ctx, input) {
    await ctx.git.run(['tag', '-a', '-m', input.message, input.tag, 'HEAD'])
    return {tag: input.tag, commit: await ctx.git.run(['rev-parse', 'HEAD'])}
  },
  async undo(ctx, input, entry) {
    const at = await tagCommit(ctx.git, input.tag)
    if (at === null) return
    if (entry.output?.commit && at !== entry.output.commit) throw new FlowError('UNDO_IMPOSSIBLE', `Tag ${input.tag} was moved since flow made it; left as it is`)
    await ctx.git.run(['tag', '-d', input.tag])
  },
}

async function findRelease(forge: Forge, tag: string): Promise<Release | undefined> {
  return forge.findReleaseByTag(tag)
}

/** `release.draft`: the forge release as a draft; done when a release exists for the tag; undone by deleting the draft. */
export const releaseDraftStep: StepKind<ReleaseDraftInput> = {
  kind: 'release.draft',
  describe: (input) => `Create the ${input.prerelease ? 'prerelease' : 'release'} ${input.tag} on the forge as a draft`,
  async isDone(ctx, input) {
    const found = await findRelease(await ctx.forge(), input.tag)
    return found ? {id: found.id, url: found.url, draft: found.draft} : false
  },
  async run(ctx, input) {
    const made = await (await ctx.forge()).createRelease({tag: input.tag, name: input.name, body: input.body, draft: true, prerelease: input.prerelease})
    return {id: made.id, url: made.url, draft: true}
  },
  async undo(ctx, input) {
    const forge = await ctx.forge()
    const found = await findRelease(forge, input.tag)
    if (!found) return
    if (!found.draft) throw new FlowError('UNDO_IMPOSSIBLE', `The release ${input.tag} is published already; flow does not delete published releases`, {hint: `Delete it on ${forge.describe} yourself if it must go.`})
    await forge.deleteRelease(found.id)
  },
}

/** `release.publish`: turns the draft into a published release, last; cannot be undone. */
export const releasePublishStep: StepKind<ReleasePublishInput> = {
  kind: 'release.publish',
  describe: (input) => `Publish the release ${input.tag}`,
  async isDone(ctx, input) {
    const found = await findRelease(await ctx.forge(), input.tag)
    return found && !found.draft ? {id: found.id, url: found.url} : false
  },
  async run(ctx, input) {
    const forge = await ctx.forge()
    const found = await findRelease(forge, input.tag)
    if (!found) throw new FlowError('FORGE_NOT_FOUND', `No release for ${input.tag} on ${forge.describe} to publish`, {hint: 'flow undo, then cut again.'})
    const published = await forge.updateRelease(found.id, {draft: false})
    return {id: published.id, url: published.url}
  },
  undo: false,
  cannotUndo: 'A published release is public; flow does not unpublish it.',
}

/** Every release step kind. */
export const releaseStepKinds: StepKind[] = [releaseFilesStep, releaseCommitStep, releaseTagStep, releaseDraftStep, releasePublishStep]

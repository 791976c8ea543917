import {rm} from 'node:fs/promises'
import {FlowError} from '../errors.js'
import type {Forge, ForgeIssue, NewRecordEvent, RecordStore} from '../ports.js'
import {INCIDENTS_COLLECTION} from '../records/facts.js'
import type {StepContext, StepKind} from '../../engine/types.js'
import {incidentNumbering, incidentViews} from './facts.js'
import {DECLARED, type IncidentView} from './model.js'
import {resolveNumbers} from '../records/numbering.js'

/** Names an incident in a step: by its declared event's id, or (before it exists) by the declare run's key. */
export interface IncidentRef {
  rootId?: string
  key?: string
  /** The directory its events live in: steps then read that record alone instead of the whole collection. */
  recordId?: string
}

/** One event a step writes (its key is added by the step). */
export interface PlannedEvent {
  type: string
  /** When it happened, if not now (an explicit --at). */
  at?: string
  data: Record<string, unknown>
}

/** Input of `incident.record`: appends events to an incident (or, without `ref`, declares it in `recordId`). */
export interface RecordInput {
  recordId: string
  ref?: IncidentRef
  key: string
  events: PlannedEvent[]
  describe: string
  /** Index of an earlier step whose output's `url` and `number` go into the first event (`url`, `issue`/`pullRequest`). */
  withOutputOf?: {step: number; as: 'issue' | 'pullRequest'}
}

/** Input of `incident.notify`: one configured notify command, placeholders already filled in. */
export interface NotifyInput {
  ref: IncidentRef
  run: string
  command: string[] | string
  env: Record<string, string>
  display: string
}

/** Input of `incident.mirrorIssue`: the GitHub issue an incident is mirrored to. */
export interface MirrorIssueInput {
  ref: IncidentRef
  /** The declare key the issue body carries as a marker. */
  marker: string
  title: string
  body: string
  labels: string[]
}

/** Input of `incident.mirrorComment`: one timeline event as a comment on the incident's issue. */
export interface MirrorCommentInput {
  ref: IncidentRef
  event: string
  body: string
}

/** Input of `incident.mirrorState`: the issue's state and labels. */
export interface MirrorStateInput {
  ref: IncidentRef
  state: 'open' | 'closed'
  labels: string[]
}

/** Input of `incident.followUpIssue`: a follow-up as a forge issue. */
export interface FollowUpIssueInput {
  key: string
  title: string
  body: string
  labels: string[]
}

/** Input of `incident.closeFollowUpIssue`: the forge issue of a follow-up marked done. */
export interface CloseFollowUpIssueInput {
  issue: number
  title: string
}

/** Input of `incident.postmortemCommit`: the postmortem file committed on a new branch, without a checkout. */
export interface PostmortemCommitInput {
  branch: string
  base: string
  path: string
  content: string
  message: string
}

/** The hidden marker that ties a forge issue or comment to a record key, so a resumed step never posts twice. */
export const marker = (kind: 'incident' | 'event' | 'follow-up', key: string): string => `<!-- flow-${kind}: ${key} -->`

async function store(ctx: StepContext): Promise<RecordStore> {
  return ctx.records()
}

/**
 * The incident a ref names, or undefined. With `recordId` (and not `exact`) only that record is read, which is all a
 * step needs (its events, root and keys); its number is then the one its creator claimed. `exact` resolves the
 * numbers of the whole collection, for what is shown to people.
 */
export async function findIncident(records: RecordStore, ref: IncidentRef, options: {exact?: boolean} = {}): Promise<IncidentView | undefined> {
  const match = (v: IncidentView) => (ref.rootId !== undefined && v.rootId === ref.rootId) || (ref.key !== undefined && v.key === ref.key)
  if (ref.recordId !== undefined && !options.exact) {
    const one = new Map([[ref.recordId, await records.events(INCIDENTS_COLLECTION, ref.recordId)]])
    const found = incidentViews(resolveNumbers([{collection: INCIDENTS_COLLECTION, records: one}], (e) => e.type === DECLARED)).find(match)
    if (found) return found
  }
  return incidentViews(await incidentNumbering(records)).find(match)
}

async function requireIncident(records: RecordStore, ref: IncidentRef): Promise<IncidentView> {
  const view = await findIncident(records, ref)
  if (!view) throw new FlowError('RECORDS_INVALID', `The incident (${ref.rootId ?? ref.key}) cannot be read back from flow/records`, {hint: 'Run flow records sync, then flow continue.'})
  return view
}

const keyOf = (key: string, i: number) => (i === 0 ? key : `${key}/${i}`)

/** `incident.record`: appends events (one commit); done when an event with the step's key is on the record. */
export const recordStep: StepKind<RecordInput> = {
  kind: 'incident.record',
  describe: (input) => input.describe,
  async isDone(ctx, input) {
    const events = await (await store(ctx)).events(INCIDENTS_COLLECTION, input.recordId)
    const found = events.find((e) => (e.data as {key?: unknown}).key === input.key)
    return found ? {eventId: found.id} : false
  },
  async run(ctx, input) {
    const records = await store(ctx)
    const root = input.ref ? (input.ref.rootId ?? (await requireIncident(records, input.ref)).rootId) : undefined
    const extra: Record<string, unknown> = {}
    if (input.withOutputOf) {
      const out = ctx.outputs[input.withOutputOf.step]
      if (typeof out?.url === 'string') extra.url = out.url
      if (typeof out?.number === 'number') extra[input.withOutputOf.as] = out.number
    }
    const entries = input.events.map((event, i): {collection: string; recordId: string; event: NewRecordEvent} => ({
      collection: INCIDENTS_COLLECTION,
      recordId: input.recordId,
      event: {type: event.type, ...(event.at ? {at: event.at} : {}), data: {...event.data, ...(i === 0 ? extra : {}), key: keyOf(input.key, i), ...(root ? {root} : {})}},
    }))
    const written = await records.appendMany(entries)
    return {eventId: written[0]?.id}
  },
  undo: false,
  cannotUndo: 'incident records are append-only; add a note that corrects it instead',
}

/** `incident.notify`: runs one notify command (argv as given, values as separate arguments); done once recorded. */
export const notifyStep: StepKind<NotifyInput> = {
  kind: 'incident.notify',
  describe: (input) => `Notify: ${input.display}`,
  async isDone(ctx, input) {
    const view = await findIncident(await store(ctx), input.ref)
    return Boolean(view?.notifiedKeys.has(input.run))
  },
  async run(ctx, input) {
    const records = await store(ctx)
    const view = await requireIncident(records, input.ref)
    const result = await ctx.shell.run(input.command, {env: input.env, timeoutMs: 60_000})
    if (result.exitCode !== 0 || result.timedOut) {
      const why = result.timedOut ? 'timed out after 60s' : `exited ${result.exitCode}`
      const detail = (result.stderr || result.stdout).trim().split('\n').pop() ?? ''
      throw new FlowError('COMMAND_FAILED', `The notify command ${input.display} ${why}${detail ? `: ${detail}` : ''}`, {
        hint: 'Fix the command (flow.yml incidents.notify) or what it calls',
      })
    }
    await records.append(INCIDENTS_COLLECTION, view.recordId, {type: 'notified', data: {root: view.rootId, run: input.run, command: input.display}})
  },
  undo: false,
  cannotUndo: 'a notification that was sent cannot be taken back',
}

async function issueByMarker(forge: Forge, labels: string[], key: string, kind: 'incident' | 'follow-up'): Promise<ForgeIssue | undefined> {
  const issues = await forge.findIssues({labels, state: 'all'})
  return issues.find((i) => i.body.includes(marker(kind, key)))
}

/** `incident.mirrorIssue`: the incident's GitHub issue, created once (found again by its marker after a crash). */
export const mirrorIssueStep: StepKind<MirrorIssueInput> = {
  kind: 'incident.mirrorIssue',
  describe: (input) => `Mirror the incident to an issue labelled ${input.labels.join(', ')}`,
  async isDone(ctx, input) {
    const records = await store(ctx)
    const view = await requireIncident(records, input.ref)
    if (view.mirror) return {...view.mirror}
    const found = await issueByMarker(await ctx.forge(), ['incident'], input.marker, 'incident')
    if (!found) return false
    await records.append(INCIDENTS_COLLECTION, view.recordId, {type: 'mirrored', data: {root: view.rootId, issue: found.number, url: found.url}})
    return {issue: found.number, url: found.url}
  },
  async run(ctx, input) {
    const records = await store(ctx)
    const view = await requireIncident(records, input.ref)
    const issue = await (await ctx.forge()).createIssue({title: input.title, body: `${input.body}\n\n${marker('incident', input.marker)}\n`, labels: input.labels})
    await records.append(INCIDENTS_COLLECTION, view.recordId, {type: 'mirrored', data: {root: view.rootId, issue: issue.number, url: issue.url}})
    return {issue: issue.number, url: issue.url}
  },
  undo: false,
  cannotUndo: 'flow does not delete issues; close it on the forge if it must go',
}

async function mirrorOf(ctx: StepContext, ref: IncidentRef): Promise<{view: IncidentView; issue: number}> {
  const view = await requireIncident(await store(ctx), ref)
  if (!view.mirror) throw new FlowError('FORGE_NOT_FOUND', `${view.id} has no mirrored issue yet`, {hint: 'Run flow continue: the mirror step creates it first.'})
  return {view, issue: view.mirror.issue}
}

/** `incident.mirrorComment`: one timeline event as a comment; never posted twice (record, then the comment's marker). */
export const mirrorCommentStep: StepKind<MirrorCommentInput> = {
  kind: 'incident.mirrorComment',
  describe: (input) => `Comment on the incident's issue: ${input.body.split('\n')[0]!.slice(0, 60)}`,
  async isDone(ctx, input) {
    const {view, issue} = await mirrorOf(ctx, input.ref)
    if (view.mirroredKeys.has(input.event)) return true
    const forge = await ctx.forge()
    const comments = forge.listComments ? await forge.listComments(issue) : []
    const found = comments.find((c) => c.body.includes(marker('event', input.event)))
    if (!found) return false
    await (await store(ctx)).append(INCIDENTS_COLLECTION, view.recordId, {type: 'mirror-commented', data: {root: view.rootId, event: input.event, comment: String(found.id)}})
    return {comment: String(found.id)}
  },
  async run(ctx, input) {
    const {view, issue} = await mirrorOf(ctx, input.ref)
    const comment = await (await ctx.forge()).addComment(issue, `${input.body}\n\n${marker('event', input.event)}`)
    await (await store(ctx)).append(INCIDENTS_COLLECTION, view.recordId, {type: 'mirror-commented', data: {root: view.rootId, event: input.event, comment: String(comment.id)}})
    return {comment: String(comment.id), url: comment.url}
  },
  undo: false,
  cannotUndo: 'flow does not delete comments',
}

/** `incident.mirrorState`: the issue's state (closed once resolved) and its labels. */
export const mirrorStateStep: StepKind<MirrorStateInput> = {
  kind: 'incident.mirrorState',
  describe: (input) => `Set the incident's issue ${input.state} with labels ${input.labels.join(', ')}`,
  async isDone(ctx, input) {
    const {issue} = await mirrorOf(ctx, input.ref)
    const found = (await (await ctx.forge()).findIssues({labels: ['incident'], state: 'all'})).find((i) => i.number === issue)
    return Boolean(found && found.state === input.state && input.labels.every((l) => found.labels.includes(l)))
  },
  async run(ctx, input) {
    const {issue} = await mirrorOf(ctx, input.ref)
    const updated = await (await ctx.forge()).updateIssue(issue, {state: input.state, labels: input.labels})
    return {issue: updated.number, state: updated.state}
  },
}

/** `incident.followUpIssue`: a follow-up as a forge issue, created once. */
export const followUpIssueStep: StepKind<FollowUpIssueInput> = {
  kind: 'incident.followUpIssue',
  describe: (input) => `Open the follow-up issue "${input.title}"`,
  async isDone(ctx, input) {
    const found = await issueByMarker(await ctx.forge(), input.labels, input.key, 'follow-up')
    return found ? {number: found.number, url: found.url} : false
  },
  async run(ctx, input) {
    const issue = await (await ctx.forge()).createIssue({title: input.title, body: `${input.body}\n\n${marker('follow-up', input.key)}\n`, labels: input.labels})
    return {number: issue.number, url: issue.url}
  },
  undo: false,
  cannotUndo: 'flow does not delete issues; close it on the forge if it must go',
}

/** `incident.closeFollowUpIssue`: closes the issue of a follow-up that is done. */
export const closeFollowUpIssueStep: StepKind<CloseFollowUpIssueInput> = {
  kind: 'incident.closeFollowUpIssue',
  describe: (input) => `Close the follow-up issue #${input.issue} "${input.title}"`,
  async isDone(ctx, input) {
    return (await (await ctx.forge()).findIssues({state: 'closed'})).some((i) => i.number === input.issue)
  },
  async run(ctx, input) {
    await (await ctx.forge()).updateIssue(input.issue, {state: 'closed'})
  },
  async undo(ctx, input) {
    await (await ctx.forge()).updateIssue(input.issue, {state: 'open'})
  },
}

async function blobAt(ctx: StepContext, rev: string): Promise<string | undefined> {
  const result = await ctx.git.exec(['rev-parse', '-q', '--verify', rev])
  return result.exitCode === 0 ? result.stdout : undefined
}

/** `incident.postmortemCommit`: commits the draft on a new branch with git plumbing (work tree untouched); undone from the ref snapshot. */
export const postmortemCommitStep: StepKind<PostmortemCommitInput> = {
  kind: 'incident.postmortemCommit',
  describe: (input) => `Commit ${input.path} on the new branch ${input.branch} (from ${input.base})`,
  refs: (input) => [`refs/heads/${input.branch}`],
  async isDone(ctx, input) {
    const wanted = await ctx.git.run(['hash-object', '--stdin'], {input: input.content})
    return (await blobAt(ctx, `refs/heads/${input.branch}:${input.path}`)) === wanted ? {branch: input.branch} : false
  },
  async run(ctx, input) {
    const git = ctx.git
    if (await blobAt(ctx, `refs/heads/${input.branch}`)) {
      throw new FlowError('FORGE_CONFLICT', `The branch ${input.branch} already exists with other content`, {hint: `Delete it (git branch -D ${input.branch}) or edit the draft there, then flow continue.`})
    }
    const base = await git.run(['rev-parse', '--verify', `${input.base}^{commit}`])
    const blob = await git.run(['hash-object', '-w', '--stdin'], {input: input.content})
    const index = await git.run(['rev-parse', '--path-format=absolute', '--git-path', `flow-postmortem-${process.pid}.index`])
    const env = {GIT_INDEX_FILE: index}
    try {
      await git.run(['read-tree', base], {env})
      await git.run(['update-index', '--add', '--cacheinfo', `100644,${blob},${input.path}`], {env})
      const tree = await git.run(['write-tree'], {env})
      const sha = await git.run(['commit-tree', tree, '-p', base], {input: input.message})
      await git.run(['update-ref', '-m', 'flow: postmortem', `refs/heads/${input.branch}`, sha, ''])
      return {branch: input.branch, sha}
    } finally {
      await rm(index, {force: true})
    }
  },
}

/** Every incident step kind. */
export const incidentStepKinds: StepKind[] = [recordStep, notifyStep, mirrorIssueStep, mirrorCommentStep, mirrorStateStep, followUpIssueStep, closeFollowUpIssueStep, postmortemCommitStep]

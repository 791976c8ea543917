import type {Command, FlowConfig, HealthConfig} from '../config/schema.js'
import {FlowError} from '../errors.js'
import type {RecordEvent} from '../ports.js'

/**
 * Preview environments: one per branch, made from the environment of flow.yml marked `preview: true` (the
 * template). Their lifecycle (created, deployed, destroy failed, destroyed) is kept in the `previews` collection,
 * one record per branch (`PV-<slug>`); their deployments are ordinary deployment records (collection
 * `deployments`, environment `<template>-<slug>`, no services, so they count for no SLO and no DORA metric).
 */
export const PREVIEWS_COLLECTION = 'previews'

type EnvConfig = FlowConfig['environments'][string]

/** The preview template of flow.yml: the one named, else the only environment with `preview: true`. */
export function previewTemplate(config: Pick<FlowConfig, 'environments'>, name?: string): {name: string; env: EnvConfig} | undefined {
  const templates = Object.entries(config.environments).filter(([, env]) => env.preview)
  if (name !== undefined) {
    const env = config.environments[name]
    if (!env?.preview) throw new FlowError('USAGE', `${name} is not a preview environment of flow.yml`, {hint: `Preview environments: ${templates.map(([n]) => n).join(', ') || 'none (mark one preview: true)'}.`})
    return {name, env}
  }
  const [first] = templates
  return first ? {name: first[0], env: first[1]} : undefined
}

/** Like previewTemplate, but CONFIG_INVALID when flow.yml has none. */
export function requirePreviewTemplate(config: Pick<FlowConfig, 'environments'>, name?: string): {name: string; env: EnvConfig} {
  const template = previewTemplate(config, name)
  if (!template) throw new FlowError('CONFIG_INVALID', 'flow.yml has no preview environment', {hint: 'Add one: environments.preview: {preview: true, create: [...], destroy: [...], url: "https://{slug}.preview.example.com"}.'})
  return template
}

/** A branch name as a DNS- and path-safe slug: `feature/Login_2` → `feature-login-2`. */
export function branchSlug(branch: string): string {
  const slug = branch.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '')
  return slug || 'branch'
}

/** The record of a branch's preview. */
export const previewRecordId = (slug: string): string => `PV-${slug}`
/** The environment name a branch's preview is deployed as. */
export const previewEnvironment = (template: string, slug: string): string => `${template}-${slug}`

/** What a preview is made of, fixed when it is planned. */
export interface PreviewSpec {
  branch: string
  slug: string
  template: string
  environment: string
  /** The pull request number, when known. */
  number?: number
  /** The URL, from the template's pattern (undefined without one, or while {number} is unknown). */
  url?: string
  /** The template's url pattern, for a {number} filled when the run knows it. */
  urlPattern?: string
}

/** Fills {branch}, {slug} and {number} of a preview (URL-encoded for URLs). */
export function fillPreview(text: string, spec: Pick<PreviewSpec, 'branch' | 'slug' | 'number' | 'url'>, encode = false): string {
  const values: Record<string, string | undefined> = {branch: spec.branch, slug: spec.slug, number: spec.number === undefined ? undefined : String(spec.number), url: spec.url}
  return text.replace(/\{(branch|slug|number|url)\}/g, (whole, name: string) => {
    const v = values[name]
    return v === undefined ? whole : encode && name !== 'url' ? encodeURIComponent(v) : v
  })
}

/** The URL of a preview from the template's pattern; undefined when the pattern needs a {number} not known yet. */
export function previewUrl(pattern: string | undefined, spec: Pick<PreviewSpec, 'branch' | 'slug' | 'number'>): string | undefined {
  if (!pattern) return undefined
  const url = fillPreview(pattern, spec, true)
  return /\{(branch|slug|number)\}/.test(url) ? undefined : url
}

/** The environment variables a preview's commands get (besides FLOW_ENV, FLOW_SHA...). */
export function previewVars(spec: PreviewSpec): Record<string, string> {
  return {FLOW_BRANCH: spec.branch, FLOW_SLUG: spec.slug, FLOW_PREVIEW_URL: spec.url ?? '', FLOW_PR_NUMBER: spec.number === undefined ? '' : String(spec.number)}
}

/** A command of the template with {branch}, {slug}, {number} and {url} filled (argv elements only; a string command gets them as environment variables). */
export function fillPreviewCommand(command: Command, spec: PreviewSpec): Command {
  return typeof command === 'string' ? command : command.map((a) => fillPreview(a, spec))
}

function fillHealth(check: HealthConfig | undefined, spec: PreviewSpec): HealthConfig | undefined {
  if (!check) return undefined
  return 'url' in check ? {...check, url: fillPreview(check.url, spec, true)} : {...check, command: fillPreviewCommand(check.command, spec)}
}

/**
 * The environment a preview deploys as: the template with its placeholders filled, rolling, no promotion order,
 * approvals or freeze (a preview is self-service), no services (its health counts for no SLO).
 */
export function previewEnvConfig(template: EnvConfig, spec: PreviewSpec): EnvConfig {
  const health = fillHealth(template.health, spec)
  const {strategy: _strategy, health: _health, url: _url, deploy: _deploy, rollback: _rollback, create: _create, destroy: _destroy, ...rest} = template
  return {
    ...rest, preview: false, after: [], approvals: 0, reviewers: [], freeze: [], services: [],
    env: {...template.env, ...previewVars(spec)},
    ...(spec.url ? {url: spec.url} : {}),
    ...(template.deploy ? {deploy: fillPreviewCommand(template.deploy, spec)} : {}),
    ...(template.rollback ? {rollback: fillPreviewCommand(template.rollback, spec)} : {}),
    ...(health ? {health} : {}),
  }
}

/** Where a preview stands. */
export type PreviewState = 'live' | 'create_failed' | 'destroy_failed' | 'destroyed'

/** A branch's preview, folded from its record. */
export interface PreviewView {
  id: string
  branch: string
  slug: string
  template: string
  environment: string
  url?: string
  number?: number
  state: PreviewState
  /** When it was (last) created. */
  createdAt: string
  /** When it was last created, deployed or touched by a destroy. */
  updatedAt: string
  sha?: string
  deployment?: string
  /** The outcome of its last deployment (success, failed, rolled_back). */
  outcome?: string
  /** Failed destroy attempts since it was created (flow env prune retries them). */
  destroyAttempts: number
  /** Why the last create or destroy failed. */
  error?: string
}

type Data = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** Folds one preview record (events oldest first); undefined when it was never created. */
export function foldPreview(recordId: string, events: readonly RecordEvent[]): PreviewView | undefined {
  let view: PreviewView | undefined
  for (const event of [...events].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const d = event.data as Data
    if (event.type === 'created' || (event.type === 'create_failed' && (!view || view.state === 'destroyed'))) {
      view = {
        id: recordId, branch: str(d.branch) ?? '', slug: str(d.slug) ?? '', template: str(d.template) ?? '', environment: str(d.environment) ?? '',
        ...(str(d.url) ? {url: str(d.url)} : {}), ...(typeof d.number === 'number' ? {number: d.number} : {}), ...(str(d.sha) ? {sha: str(d.sha)} : {}),
        state: event.type === 'created' ? 'live' : 'create_failed', createdAt: event.at, updatedAt: event.at, destroyAttempts: 0,
        ...(event.type === 'create_failed' && str(d.reason) ? {error: str(d.reason)} : {}),
      }
      continue
    }
    if (!view) continue
    view.updatedAt = event.at
    if (event.type === 'create_failed') {
      view.state = 'create_failed'
      view.error = str(d.reason)
    } else if (event.type === 'deployed') {
      view.deployment = str(d.deployment)
      view.outcome = str(d.outcome)
      if (str(d.sha)) view.sha = str(d.sha)
      if (str(d.url)) view.url = str(d.url)
    } else if (event.type === 'destroy_failed') {
      view.state = 'destroy_failed'
      view.destroyAttempts++
      view.error = str(d.reason)
    } else if (event.type === 'destroyed') {
      view.state = 'destroyed'
      delete view.error
    }
  }
  return view
}

/** Every preview ever made, newest first. */
export function foldPreviews(collection: ReadonlyMap<string, readonly RecordEvent[]>): PreviewView[] {
  return [...collection].flatMap(([id, events]) => foldPreview(id, events) ?? []).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
}

/** True while a preview may hold resources (it was created and not destroyed for sure). */
export const mayExist = (p: PreviewView): boolean => p.state !== 'destroyed'

/**
 * The previews `flow env prune` destroys: every one whose destroy failed before (always retried), and every one not
 * touched for longer than `olderThanMs` (default: its template's ttl; without a ttl and --older-than, none).
 */
export function stalePreviews(previews: readonly PreviewView[], now: number, olderThanMs: number | undefined, ttlOf: (template: string) => number | undefined): PreviewView[] {
  return previews.filter((p) => {
    if (!mayExist(p)) return false
    if (p.state === 'destroy_failed') return true
    const limit = olderThanMs ?? ttlOf(p.template)
    return limit !== undefined && now - Date.parse(p.updatedAt) >= limit
  })
}

const MARKER = '<!-- flow:preview -->'

/** The pull request body with one preview line (replaced in place when there is one; never duplicated). */
export function withPreviewLine(body: string, url: string): string {
  const line = `${MARKER} Preview: ${url}`
  const lines = body.split('\n')
  const at = lines.findIndex((l) => l.startsWith(MARKER))
  if (at >= 0) {
    lines[at] = line
    return lines.join('\n')
  }
  return `${body.replace(/\s+$/, '')}${body.trim() ? '\n\n' : ''}${line}\n`
}

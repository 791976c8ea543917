import picomatch from 'picomatch'
import type {FlowConfig} from '../config/schema.js'
import type {ChangeType} from './model.js'

/** A change template of flow.yml, by name. */
export type ChangeTemplate = FlowConfig['changes']['templates'][string] & {name: string}

/** Whether a template's match rules hold, and why not. */
export interface TemplateMatch {
  template: ChangeTemplate
  matches: boolean
  /** The rules that did not hold, in words. */
  misses: string[]
}

/** What a change looks like to the match rules. */
export interface MatchSubject {
  files: readonly string[]
  branch?: string
  title: string
}

/**
 * Checks one template's rules: every changed file matches one of `paths` (so "only the lockfile changed" is
 * `paths: [package-lock.json]`), the branch matches one of `branches`, the title matches `title`. Rules left out
 * hold; a template with no rules at all never matches by itself (it must be named with --template).
 */
export function matchTemplate(template: ChangeTemplate, subject: MatchSubject): TemplateMatch {
  const misses: string[] = []
  const {paths, branches, title} = template.match
  if (paths.length > 0) {
    const match = picomatch(paths, {dot: true})
    const outside = subject.files.filter((f) => !match(f))
    if (subject.files.length === 0) misses.push('no changed files to match paths')
    else if (outside.length > 0) misses.push(`files outside ${paths.join(', ')}: ${outside.slice(0, 5).join(', ')}${outside.length > 5 ? ` and ${outside.length - 5} more` : ''}`)
  }
  if (branches.length > 0) {
    if (!subject.branch || !picomatch(branches)(subject.branch)) misses.push(`branch ${subject.branch ?? '(none)'} is not one of ${branches.join(', ')}`)
  }
  if (title !== undefined) {
    let re: RegExp | undefined
    try {
      re = new RegExp(title)
    } catch {
      misses.push(`title pattern ${JSON.stringify(title)} is not a valid regular expression`)
    }
    if (re && !re.test(subject.title)) misses.push(`title does not match /${title}/`)
  }
  const hasRules = paths.length > 0 || branches.length > 0 || title !== undefined
  if (!hasRules) misses.push('the template has no match rules')
  return {template, matches: misses.length === 0, misses}
}

/** The templates of flow.yml with their names. */
export function templatesOf(config: Pick<FlowConfig, 'changes'>): ChangeTemplate[] {
  return Object.entries(config.changes.templates).map(([name, t]) => ({...t, name}))
}

/** The first template of this type whose rules match, and how every template of the type fared. */
export function chooseTemplate(templates: readonly ChangeTemplate[], type: ChangeType, subject: MatchSubject): {chosen?: ChangeTemplate; tried: TemplateMatch[]} {
  const tried = templates.filter((t) => t.type === type).map((t) => matchTemplate(t, subject))
  return {chosen: tried.find((t) => t.matches)?.template, tried}
}

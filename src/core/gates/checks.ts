/** The pure logic of the builtin gates: commit messages, branch names, secrets, coverage, required files. */
import picomatch from 'picomatch'

/** Options of the commit message check. */
export interface CommitRules {
  types: string[]
  scopes: string[]
  maxHeaderLength: number
}

const HEADER = /^(?<type>[A-Za-z]+)(?:\((?<scope>[^()\r\n]+)\))?(?<bang>!)?: (?<subject>\S.*)$/

/** Why a commit message breaks the conventional-commits rules, or undefined when it follows them. */
export function commitMessageProblem(message: string, rules: CommitRules): string | undefined {
  const lines = message.replace(/\r\n/g, '\n').split('\n').filter((l) => !l.startsWith('#'))
  const header = lines[0]?.trim() ?? ''
  if (!header) return 'the message is empty'
  const match = HEADER.exec(header)
  if (!match?.groups) return `the header "${header}" is not "type(scope): subject" (e.g. "feat: add login form")`
  const {type = '', scope} = match.groups
  if (!rules.types.includes(type)) return `type "${type}" is not one of ${rules.types.join(', ')}`
  if (scope !== undefined && rules.scopes.length > 0) {
    const bad = scope.split(/[,/]/).map((s) => s.trim()).filter((s) => !rules.scopes.includes(s))
    if (bad.length > 0) return `scope "${bad.join(', ')}" is not one of ${rules.scopes.join(', ')}`
  }
  if (header.length > rules.maxHeaderLength) return `the header is ${header.length} characters long, more than ${rules.maxHeaderLength}`
  if (lines.length > 1 && lines[1]?.trim() !== '') return 'the header must be followed by a blank line'
  return undefined
}

/** A branch name template (`feature/{slug}`) as a regular expression; each placeholder matches any text without spaces. */
export function templateRegex(template: string): RegExp {
  const parts = template.split(/\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${parts.join('[^\\s]+')}$`)
}

/** Why a branch name matches none of the templates (or the explicit pattern), or undefined when it matches. */
export function branchNameProblem(branch: string, input: {templates: string[]; exempt: string[]; pattern?: string}): string | undefined {
  if (input.exempt.includes(branch)) return undefined
  if (input.pattern !== undefined) {
    return new RegExp(input.pattern).test(branch) ? undefined : `branch "${branch}" does not match ${input.pattern}`
  }
  if (input.templates.some((t) => templateRegex(t).test(branch))) return undefined
  return `branch "${branch}" matches none of ${input.templates.join(', ')}`
}

/** One suspected secret: where, and what it looks like (never the value). */
export interface SecretFinding {
  file: string
  line: number
  kind: string
}

/** The token formats no-secrets looks for. */
export const SECRET_PATTERNS: Array<{kind: string; regex: RegExp}> = [
  {kind: 'private key', regex: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/},
  {kind: 'GitHub token', regex: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b/},
  {kind: 'GitHub token', regex: /\bgithub_pat_[A-Za-z0-9_]{22,}\b/},
  {kind: 'AWS access key id', regex: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b/},
  {kind: 'Slack token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}/},
  {kind: 'Slack webhook', regex: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/},
]

/** Options of the secret scan. */
export interface SecretScanOptions {
  /** Extra regular expressions (from the gate's patterns). */
  patterns?: string[]
  /** Regular expressions of matched text that is not a secret. */
  allow?: string[]
  /** Globs of files not scanned. */
  exclude?: string[]
}

/** Scans the added lines of a unified diff (`git diff -U0`) for secrets; reports file and new line number only. */
export function scanDiffForSecrets(diff: string, options: SecretScanOptions = {}): SecretFinding[] {
  const patterns = [...SECRET_PATTERNS, ...(options.patterns ?? []).map((p) => ({kind: 'custom pattern', regex: new RegExp(p)}))]
  const allow = (options.allow ?? []).map((p) => new RegExp(p))
  const excluded = (options.exclude ?? []).length > 0 ? picomatch(options.exclude ?? [], {dot: true}) : () => false
  const findings: SecretFinding[] = []
  let file: string | undefined
  let line = 0
  for (const text of diff.split('\n')) {
    if (text.startsWith('+++ ')) {
      const path = text.slice(4)
      file = path === '/dev/null' ? undefined : path.replace(/^b\//, '')
      continue
    }
    if (text.startsWith('--- ') || text.startsWith('diff --git')) continue
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text)
    if (hunk) {
      line = Number(hunk[1])
      continue
    }
    if (text.startsWith('+')) {
      if (file && !excluded(file)) {
        const added = text.slice(1)
        for (const {kind, regex} of patterns) {
          const global = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`)
          const hit = [...added.matchAll(global)].some((m) => !allow.some((a) => a.test(m[0])))
          if (hit) {
            findings.push({file, line, kind})
            break
          }
        }
      }
      line++
    } else if (text.startsWith(' ')) {
      line++
    }
  }
  return findings
}

/** The coverage metrics flow reads. */
export type CoverageMetric = 'lines' | 'statements' | 'branches' | 'functions'

/** A percentage from an istanbul json-summary (`total.<metric>.pct`). */
export function coverageFromSummary(json: unknown, metric: CoverageMetric): number | undefined {
  const total = (json as {total?: Record<string, {pct?: unknown}>} | undefined)?.total
  const pct = total?.[metric]?.pct
  return typeof pct === 'number' ? pct : undefined
}

/** A percentage from an lcov file (LF/LH, BRF/BRH, FNF/FNH summed; statements count as lines). */
export function coverageFromLcov(text: string, metric: CoverageMetric): number | undefined {
  const keys = {lines: ['LF', 'LH'], statements: ['LF', 'LH'], branches: ['BRF', 'BRH'], functions: ['FNF', 'FNH']}[metric]
  let found = 0
  let hit = 0
  let seen = false
  for (const line of text.split(/\r?\n/)) {
    const [key, value] = line.split(':')
    if (key === keys[0]) {
      found += Number(value)
      seen = true
    } else if (key === keys[1]) {
      hit += Number(value)
    }
  }
  if (!seen) return undefined
  return found === 0 ? 100 : Math.round((hit / found) * 10000) / 100
}

/** Which `files` globs are not satisfied: with `when`, only when a changed path matches it, and then by a changed file. */
export function missingRequiredFiles(input: {files: string[]; when: string[]; changed: string[]; existing: string[]}): {required: boolean; missing: string[]} {
  if (input.when.length > 0) {
    const trigger = picomatch(input.when, {dot: true})
    if (!input.changed.some((p) => trigger(p))) return {required: false, missing: []}
    return {required: true, missing: input.files.filter((glob) => !input.changed.some((p) => picomatch(glob, {dot: true})(p)))}
  }
  return {required: true, missing: input.files.filter((glob) => !input.existing.some((p) => picomatch(glob, {dot: true})(p)))}
}

/** The dependency-audit gate: reads an audit in npm's shape and applies flow.yml's severity policy and exceptions. */

/** Severities from harmless to worst, as npm audit names them. */
export const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const

/** One advisory severity. */
export type Severity = (typeof SEVERITIES)[number]

/** One advisory found in the audit. */
export interface Advisory {
  /** The GHSA id when known, else npm's numeric id. */
  id: string
  /** Every name the advisory goes by (GHSA id, URL, numeric id, CVEs), for matching exceptions. */
  aliases: string[]
  title: string
  severity: Severity
  /** The vulnerable packages. */
  packages: string[]
  url?: string
}

/** An accepted advisory, as flow.yml holds it. */
export interface AuditException {
  advisory: string
  reason: string
  /** Last day (YYYY-MM-DD, UTC) the exception holds. */
  expires: string
}

/** The policy of the gate. */
export interface AuditPolicy {
  /** Highest severity allowed without an exception; `none` allows nothing. */
  maxSeverity: Severity | 'none'
  exceptions: AuditException[]
}

/** What the policy makes of an audit. */
export interface AuditVerdict {
  ok: boolean
  lines: string[]
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const asSeverity = (v: unknown): Severity => (SEVERITIES as readonly string[]).includes(String(v)) ? (v as Severity) : 'critical'
const ghsaOf = (url: unknown): string | undefined => (typeof url === 'string' ? /GHSA(-[0-9a-z]{4}){3}/i.exec(url)?.[0] : undefined)

/** Parses `npm audit --json` (report version 2, npm 7+, or the advisories map of npm 6); throws on anything else. */
export function parseAudit(text: string): Advisory[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error(`the audit did not print JSON: ${text.trim().slice(0, 200) || '(no output)'}`)
  }
  if (!isObject(json)) throw new Error('the audit printed JSON that is not an object')
  if (isObject(json.error)) throw new Error(`the audit failed: ${String(json.error.summary ?? json.error.code ?? 'unknown error')}${json.error.detail ? ` (${String(json.error.detail)})` : ''}`)
  const found = new Map<string, Advisory>()
  const add = (a: Omit<Advisory, 'aliases'> & {aliases: Array<string | undefined>}, pkg: string) => {
    const existing = found.get(a.id)
    if (existing) {
      if (!existing.packages.includes(pkg)) existing.packages.push(pkg)
      return
    }
    found.set(a.id, {...a, aliases: [...new Set(a.aliases.filter((x): x is string => Boolean(x)))], packages: [pkg]})
  }
  if (isObject(json.vulnerabilities)) {
    for (const [name, vuln] of Object.entries(json.vulnerabilities)) {
      if (!isObject(vuln) || !Array.isArray(vuln.via)) continue
      // `via` holds advisories (objects) and names of other vulnerable packages (strings, reported under their own name).
      for (const via of vuln.via) {
        if (!isObject(via)) continue
        const ghsa = ghsaOf(via.url)
        const numeric = via.source === undefined ? undefined : String(via.source)
        const id = ghsa ?? numeric ?? `${name}:${String(via.title ?? 'advisory')}`
        add({id, title: String(via.title ?? 'untitled advisory'), severity: asSeverity(via.severity), packages: [], url: typeof via.url === 'string' ? via.url : undefined, aliases: [id, ghsa, numeric, typeof via.url === 'string' ? via.url : undefined]}, String(via.name ?? name))
      }
    }
    return [...found.values()]
  }
  if (isObject(json.advisories)) {
    for (const adv of Object.values(json.advisories)) {
      if (!isObject(adv)) continue
      const ghsa = typeof adv.github_advisory_id === 'string' ? adv.github_advisory_id : ghsaOf(adv.url)
      const numeric = adv.id === undefined ? undefined : String(adv.id)
      const id = ghsa ?? numeric ?? String(adv.title)
      const cves = Array.isArray(adv.cves) ? adv.cves.map(String) : []
      add({id, title: String(adv.title ?? 'untitled advisory'), severity: asSeverity(adv.severity), packages: [], url: typeof adv.url === 'string' ? adv.url : undefined, aliases: [id, ghsa, numeric, typeof adv.url === 'string' ? adv.url : undefined, ...cves]}, String(adv.module_name ?? 'unknown package'))
    }
    return [...found.values()]
  }
  throw new Error('the audit JSON has neither vulnerabilities (npm 7+) nor advisories (npm 6)')
}

/** True when the exception names the advisory (any of its ids or its URL, case-insensitive). */
export function exceptionMatches(exception: AuditException, advisory: Advisory): boolean {
  const wanted = exception.advisory.trim().toLowerCase()
  return advisory.aliases.some((a) => a.toLowerCase() === wanted)
}

/** True once the exception's last day (UTC) is over. */
export function exceptionExpired(exception: AuditException, now: Date): boolean {
  return now.getTime() >= Date.parse(`${exception.expires}T00:00:00Z`) + 86_400_000
}

const rank = (s: Severity | 'none') => (s === 'none' ? -1 : SEVERITIES.indexOf(s))

/** Applies the policy: advisories above the allowed severity fail unless an unexpired exception covers them. */
export function judgeAudit(advisories: Advisory[], policy: AuditPolicy, now: Date): AuditVerdict {
  const lines: string[] = []
  const failures: string[] = []
  const used = new Set<AuditException>()
  const sorted = [...advisories].sort((a, b) => rank(b.severity) - rank(a.severity) || a.id.localeCompare(b.id))
  for (const adv of sorted) {
    const what = `${adv.severity} ${adv.id} in ${adv.packages.join(', ')}: ${adv.title}`
    if (rank(adv.severity) <= rank(policy.maxSeverity)) {
      lines.push(`allowed (≤ ${policy.maxSeverity}): ${what}`)
      continue
    }
    const exception = policy.exceptions.find((e) => exceptionMatches(e, adv))
    if (exception) used.add(exception)
    if (exception && !exceptionExpired(exception, now)) {
      lines.push(`excepted until ${exception.expires} (${exception.reason}): ${what}`)
    } else if (exception) {
      failures.push(`${what}; its exception expired on ${exception.expires} (${exception.reason}): fix the advisory or renew the exception`)
    } else {
      failures.push(`${what}${adv.url ? ` (${adv.url})` : ''}`)
    }
  }
  for (const e of policy.exceptions) {
    if (!used.has(e)) lines.push(`exception for ${e.advisory} matches no advisory above ${policy.maxSeverity} any more: remove it from flow.yml`)
  }
  if (failures.length === 0) {
    return {ok: true, lines: [...lines, `${advisories.length} advisor${advisories.length === 1 ? 'y' : 'ies'}, none above ${policy.maxSeverity} without a valid exception`]}
  }
  return {ok: false, lines: [...failures, ...lines, `${failures.length} advisor${failures.length === 1 ? 'y' : 'ies'} above ${policy.maxSeverity}: upgrade the packages (npm audit fix), or add an exception with a reason and an expiry date`]}
}

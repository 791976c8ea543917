/** The pure part of `flow compliance check`: policy against enforced settings, rule by rule. */
import type {EnforcedBranchRules, ForgeEnvironment} from '../ports.js'

/** How one rule came out. */
export type RuleStatus = 'pass' | 'fail' | 'unknown' | 'not-applicable'

/** One rule of the policy and whether it holds. */
export interface ComplianceRule {
  /** Stable id, e.g. `branch:main:reviews`, `codeowners:coverage`. */
  id: string
  title: string
  status: RuleStatus
  /** What was found. */
  evidence: string
  /** How to make it pass (fail and unknown). */
  fix?: string
  /** The token permission that was missing (unknown). */
  scope?: string
  /** Paths or names the evidence is about (unowned paths, missing checks), in full. */
  items?: string[]
}

/** What the policy asks of a protected branch. */
export interface BranchPolicy {
  approvals: number
  codeOwnerReview: boolean
  /** Status check names that must be required. */
  statusChecks: string[]
}

/** The strictest combination of branch protection and rulesets (either may be absent). */
export function mergeEnforced(list: Array<EnforcedBranchRules | undefined>): EnforcedBranchRules | undefined {
  const present = list.filter((e): e is EnforcedBranchRules => e !== undefined)
  if (present.length === 0) return undefined
  return {
    source: present.map((e) => e.source).join(' + '),
    pullRequest: present.some((e) => e.pullRequest),
    approvals: Math.max(...present.map((e) => e.approvals)),
    codeOwnerReview: present.some((e) => e.codeOwnerReview),
    dismissStaleReviews: present.some((e) => e.dismissStaleReviews),
    statusChecks: [...new Set(present.flatMap((e) => e.statusChecks))].sort(),
    blocksForcePushes: present.some((e) => e.blocksForcePushes),
    blocksDeletions: present.some((e) => e.blocksDeletions),
  }
}

const settingsFix = (branch: string, what: string) =>
  `On GitHub: Settings → Rules → Rulesets (or Settings → Branches, branch protection) for ${branch}: ${what}.`

/** The six branch rules (reviews, code owners, stale reviews, status checks, force pushes, deletions) for one branch. */
export function branchRules(branch: string, policy: BranchPolicy, enforced: EnforcedBranchRules | undefined): ComplianceRule[] {
  const id = (name: string) => `branch:${branch}:${name}`
  const e = enforced
  const from = e ? ` (${e.source})` : ''
  const none = 'the branch has neither branch protection nor a ruleset'
  const rules: ComplianceRule[] = []
  if (policy.approvals === 0) {
    rules.push({id: id('reviews'), title: `${branch}: required approving reviews`, status: 'not-applicable', evidence: 'review.approvals is 0'})
  } else {
    const have = e?.pullRequest ? e.approvals : 0
    rules.push(have >= policy.approvals
      ? {id: id('reviews'), title: `${branch}: required approving reviews`, status: 'pass', evidence: `${have} approving review${have === 1 ? '' : 's'} required${from}; review.approvals is ${policy.approvals}`}
      : {id: id('reviews'), title: `${branch}: required approving reviews`, status: 'fail',
          evidence: e ? (e.pullRequest ? `${have} approving review${have === 1 ? '' : 's'} required${from}, but review.approvals is ${policy.approvals}` : `pull requests are not required${from}`) : none,
          fix: settingsFix(branch, `require a pull request with at least ${policy.approvals} approving review${policy.approvals === 1 ? '' : 's'}`)})
  }
  if (!policy.codeOwnerReview) {
    rules.push({id: id('code-owner-review'), title: `${branch}: code owner review`, status: 'not-applicable', evidence: 'review.reviewers is not codeowners'})
  } else {
    rules.push(e?.codeOwnerReview
      ? {id: id('code-owner-review'), title: `${branch}: code owner review`, status: 'pass', evidence: `code owner review required${from}`}
      : {id: id('code-owner-review'), title: `${branch}: code owner review`, status: 'fail', evidence: e ? `code owner review is not required${from}` : none, fix: settingsFix(branch, 'require review from code owners')})
  }
  if (policy.approvals === 0) {
    rules.push({id: id('dismiss-stale-reviews'), title: `${branch}: stale approvals dismissed`, status: 'not-applicable', evidence: 'review.approvals is 0'})
  } else {
    rules.push(e?.dismissStaleReviews
      ? {id: id('dismiss-stale-reviews'), title: `${branch}: stale approvals dismissed`, status: 'pass', evidence: `new commits dismiss approvals${from}`}
      : {id: id('dismiss-stale-reviews'), title: `${branch}: stale approvals dismissed`, status: 'fail', evidence: e ? `approvals survive new commits${from}` : none, fix: settingsFix(branch, 'dismiss stale pull request approvals when new commits are pushed')})
  }
  if (policy.statusChecks.length === 0) {
    rules.push({id: id('status-checks'), title: `${branch}: required status checks`, status: 'not-applicable', evidence: 'no gate of the submit stage runs in CI'})
  } else {
    const missing = policy.statusChecks.filter((c) => !(e?.statusChecks ?? []).includes(c))
    rules.push(missing.length === 0
      ? {id: id('status-checks'), title: `${branch}: required status checks`, status: 'pass', evidence: `required${from}: ${policy.statusChecks.join(', ')}`}
      : {id: id('status-checks'), title: `${branch}: required status checks`, status: 'fail', items: missing,
          evidence: e ? `not required${from}: ${missing.join(', ')}` : none,
          fix: settingsFix(branch, `require the status checks ${missing.join(', ')}`)})
  }
  rules.push(e?.blocksForcePushes
    ? {id: id('force-pushes'), title: `${branch}: force pushes blocked`, status: 'pass', evidence: `force pushes are blocked${from}`}
    : {id: id('force-pushes'), title: `${branch}: force pushes blocked`, status: 'fail', evidence: e ? `force pushes are allowed${from}` : none, fix: settingsFix(branch, 'block force pushes')})
  rules.push(e?.blocksDeletions
    ? {id: id('deletions'), title: `${branch}: deletion blocked`, status: 'pass', evidence: `the branch cannot be deleted${from}`}
    : {id: id('deletions'), title: `${branch}: deletion blocked`, status: 'fail', evidence: e ? `the branch may be deleted${from}` : none, fix: settingsFix(branch, 'restrict deletions')})
  return rules
}

/** What flow.yml asks of one environment. */
export interface EnvironmentPolicy {
  name: string
  approvals: number
  reviewers: string[]
}

/** A reviewer as GitHub lists it: a login, or a team's slug (`org/team` → `team`), without `@`. */
const reviewerKey = (r: string) => r.replace(/^@/, '').replace(/^[^/]+\//, '').toLowerCase()

/** One rule per environment: it exists and, where flow.yml asks for approvals or reviewers, requires those reviewers. */
export function environmentRules(policies: EnvironmentPolicy[], existing: ForgeEnvironment[]): ComplianceRule[] {
  return policies.map((p) => {
    const id = `environment:${p.name}`
    const title = `environment ${p.name}`
    const found = existing.find((e) => e.name === p.name)
    if (!found) return {id, title, status: 'fail', evidence: `no environment named ${p.name} on the forge`, fix: `On GitHub: Settings → Environments → New environment ${p.name}${p.approvals > 0 ? ', with required reviewers' : ''}.`}
    if (p.approvals === 0 && p.reviewers.length === 0) return {id, title, status: 'pass', evidence: 'exists; flow.yml asks for no approvals'}
    if (!found.requiresReview) {
      return {id, title, status: 'fail', evidence: `exists but has no required reviewers, while flow.yml asks for ${p.approvals} approval${p.approvals === 1 ? '' : 's'}`, fix: `On GitHub: Settings → Environments → ${p.name}: add required reviewers${p.reviewers.length > 0 ? ` (${p.reviewers.join(', ')})` : ''}.`}
    }
    const have = new Set(found.reviewers.map(reviewerKey))
    const missing = p.reviewers.filter((r) => !have.has(reviewerKey(r)))
    if (missing.length > 0) {
      return {id, title, status: 'fail', items: missing, evidence: `required reviewers are ${found.reviewers.join(', ') || 'nobody'}; missing ${missing.join(', ')}`, fix: `On GitHub: Settings → Environments → ${p.name}: add ${missing.join(', ')} as required reviewers.`}
    }
    return {id, title, status: 'pass', evidence: `required reviewers: ${found.reviewers.join(', ') || '(any)'}`}
  })
}

/**
 * Unowned paths with whole unowned directories collapsed: a directory is listed (with a trailing `/`) when every
 * tracked file under it is unowned and its parent is not; other unowned files are listed as they are.
 */
export function collapseUnowned(all: string[], unowned: string[]): string[] {
  // Counts per directory, each directory of a path found by walking back over its slashes.
  const count = (files: Iterable<string>) => {
    const counts = new Map<string, number>()
    for (const f of files) for (let i = f.lastIndexOf('/'); i > 0; i = f.lastIndexOf('/', i - 1)) {
      const d = f.slice(0, i)
      counts.set(d, (counts.get(d) ?? 0) + 1)
    }
    return counts
  }
  const unownedSet = new Set(unowned)
  const total = count(all)
  const bad = count(unownedSet)
  const out = new Set<string>()
  for (const f of [...unownedSet].sort()) {
    let top: string | undefined
    // The top-most wholly unowned directory: from the first slash down.
    for (let i = f.indexOf('/'); i > 0; i = f.indexOf('/', i + 1)) {
      const d = f.slice(0, i)
      if (bad.get(d) === total.get(d)) {
        top = d
        break
      }
    }
    out.add(top === undefined ? f : `${top}/`)
  }
  return [...out]
}

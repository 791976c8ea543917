import {z} from 'zod'
import {packageTagPattern} from './tag-pattern.js'
import {DURATION_PATTERN} from './duration.js'
import {FREEZE_EXPECTED, parseFreezeWindow} from './freeze.js'

/** What a duration looks like, in words, for error messages. */
export const DURATION_EXPECTED = 'a duration like 30s'
/** What a command looks like, in words, for error messages. */
export const COMMAND_EXPECTED = 'a command: an argv list of strings, or a string run by your shell'

/** Extra data on issues flow adds itself (cross-field checks), read by the problem mapper. */
export interface FlowIssueParams {
  expected: string
  found?: string
  /** A full sentence that replaces "expected ..., found ..." */
  text?: string
  suggestion?: string
  /** Candidates for "did you mean" when no suggestion is given. */
  candidates?: string[]
}

const duration = (description: string) =>
  z.string({error: DURATION_EXPECTED}).regex(DURATION_PATTERN, {error: DURATION_EXPECTED}).describe(description)

/** A command in flow.yml: a non-empty argv array (run directly), or a string (run by the user's shell). */
export const CommandSchema = z
  .union([z.string().min(1), z.array(z.string()).min(1)], {error: COMMAND_EXPECTED})
  .describe('A command: an argv list such as ["npm", "test"] (run directly, never through a shell), or a string run by your shell.')

/** A command as flow.yml holds it. */
export type Command = z.output<typeof CommandSchema>

const globs = (description: string) => z.array(z.string().min(1)).default([]).describe(description)
const names = (description: string) => z.array(z.string().min(1)).default([]).describe(description)
const count = (description: string) => z.int({error: 'a whole number'}).min(0).describe(description)

const placeholders = (text: string) => [...text.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] as string)

/** A branch or tag name pattern whose `{placeholders}` must be among `allowed` and include one of `required`. */
const pattern = (allowed: string[], required: string[], description: string) =>
  z
    .string({error: 'a name pattern (a string)'})
    .min(1)
    .superRefine((value, ctx) => {
      const unknown = placeholders(value).filter((p) => !allowed.includes(p))
      for (const p of unknown) {
        ctx.addIssue({
          code: 'custom',
          input: value,
          message: `unknown placeholder {${p}}`,
          params: {expected: `placeholders among ${allowed.map((a) => `{${a}}`).join(', ')}`, text: `unknown placeholder {${p}}; use ${allowed.map((a) => `{${a}}`).join(', ')}`, found: `{${p}}`, candidates: allowed.map((a) => `{${a}}`)} satisfies FlowIssueParams,
        })
      }
      if (required.length > 0 && unknown.length === 0 && !placeholders(value).some((p) => required.includes(p))) {
        const need = required.map((r) => `{${r}}`).join(' or ')
        ctx.addIssue({code: 'custom', input: value, message: `a pattern containing ${need}`, params: {expected: `a pattern containing ${need}`, found: JSON.stringify(value)} satisfies FlowIssueParams})
      }
    })
    .describe(description)

const freezeWindow = z
  .string({error: FREEZE_EXPECTED})
  .refine((v) => parseFreezeWindow(v) !== undefined, {error: FREEZE_EXPECTED})
  .describe('A freeze window: "cron: MIN HOUR DOM MON DOW for DURATION [in TIME/ZONE]" (recurring; UTC unless a zone is named, e.g. "cron: 0 16 * * 5 for 64h in Europe/Berlin") or "START..END" (e.g. "2026-12-20..2027-01-04"; times without an offset are UTC, a date-only end includes that day).')

const envVars = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()], {error: 'a string, number or boolean'}))
  .transform((v) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) as Record<string, string>)
  .default({})
  .describe('Environment variables for the command.')

const forge = z
  .strictObject({
    type: z.enum(['github', 'local']).optional().describe('github or local (records in the repository). Unset: github when origin is on GitHub and a token is found, else local.'),
    host: z.string().min(1).optional().describe('GitHub Enterprise host (default: GH_HOST, else github.com).'),
    repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/, {error: 'owner/name'}).optional().describe('owner/name on the forge (default: parsed from the origin remote).'),
  })
  .prefault({})
  .describe('Where pull requests, releases, issues and deployments live.')

const branches = z
  .strictObject({
    strategy: z.enum(['trunk', 'github-flow', 'git-flow']).default('trunk').describe('Branching strategy: trunk (short-lived branches off main), github-flow (feature branches and pull requests), git-flow (develop, release and hotfix branches).'),
    main: z.string().min(1).default('main').describe('The main (production) branch.'),
    develop: z.string().min(1).default('develop').describe('The integration branch (git-flow only).'),
    feature: pattern(['slug', 'issue', 'user', 'date'], ['slug', 'issue'], 'Feature branch names: {slug}, {issue}, {user}, {date}.').default('feature/{slug}'),
    hotfix: pattern(['slug', 'issue', 'user', 'date', 'version'], ['slug', 'issue', 'version'], 'Hotfix branch names: {slug}, {issue}, {user}, {date}, {version}.').default('hotfix/{slug}'),
    release: pattern(['version', 'date'], ['version'], 'Release branch names (git-flow): {version}, {date}.').default('release/{version}'),
  })
  .prefault({})
  .describe('Branch names and the branching strategy.')

const review = z
  .strictObject({
    merge: z.enum(['squash', 'rebase', 'merge']).default('squash').describe('How finished branches are merged.'),
    approvals: count('Approvals needed before merging.').default(1),
    reviewers: z.union([z.literal('codeowners'), z.array(z.string().min(1))], {error: 'codeowners, or a list of user or team names'}).default([]).describe('Reviewers to request: "codeowners", or a list of users and teams.'),
    sync: z.enum(['rebase', 'merge']).default('rebase').describe('How a branch takes in new commits from its base.'),
    delete_branch: z.boolean().default(true).describe('Delete the branch after merging.'),
    draft: z.boolean().default(false).describe('Open pull requests as drafts.'),
    template: z.string().min(1).optional().describe('Path of the pull request body template.'),
  })
  .prefault({})
  .describe('Pull requests and merging.')

const DEFAULT_COMMIT_TYPES = ['feat', 'fix', 'docs', 'style', 'refactor', 'perf', 'test', 'build', 'ci', 'chore', 'revert']

const commits = z
  .strictObject({
    convention: z.enum(['conventional', 'none']).default('conventional').describe('Commit message convention.'),
    types: names('Allowed conventional commit types.').default(DEFAULT_COMMIT_TYPES),
    scopes: names('Allowed scopes (empty: any scope).'),
  })
  .prefault({})
  .describe('Commit message rules.')

const gateCommon = {
  needs: names('Gates that must pass before this one starts.'),
  inputs: globs('Globs of the files the gate reads; the result is cached until one of them changes.'),
  tools: names('Programs whose --version output is part of the cache key (e.g. node, tsc): upgrading one re-runs the gate.'),
  env: envVars,
  timeout: duration('Time after which the gate is stopped and fails.').default('10m'),
  optional: z.boolean().default(false).describe('A failure is reported but does not fail the stage.'),
  description: z.string().optional().describe('What the gate checks, for people.'),
}

const runGate = z
  .strictObject({run: CommandSchema, cwd: z.string().min(1).optional().describe('Directory to run in, relative to the repository root.'), ...gateCommon})
  .describe('A gate that runs a command; it passes when the command exits 0.')

const builtinGate = z.discriminatedUnion(
  'builtin',
  [
    z.strictObject({
      builtin: z.literal('conventional-commits'),
      max_header_length: z.int().min(1).default(100).describe('Longest allowed commit header.'),
      ...gateCommon,
    }).describe('Checks that commit messages follow the convention in commits.'),
    z.strictObject({
      builtin: z.literal('branch-name'),
      pattern: z.string().min(1).optional().describe('A regular expression branch names must match (default: from branches).'),
      ...gateCommon,
    }).describe('Checks that the branch name follows the branch patterns.'),
    z.strictObject({
      builtin: z.literal('no-secrets'),
      exclude: globs('Files not scanned.'),
      patterns: names('Extra regular expressions that count as secrets.'),
      allow: names('Regular expressions of findings that are not secrets (e.g. documented example keys).'),
      ...gateCommon,
    }).describe('Fails when a changed file contains what looks like a secret.'),
    z.strictObject({
      builtin: z.literal('coverage'),
      file: z.string().min(1).default('coverage/coverage-summary.json').describe('Coverage to read: an istanbul json-summary, or an lcov file (*.info, lcov*).'),
      metric: z.enum(['lines', 'statements', 'branches', 'functions']).default('lines').describe('Which percentage to check.'),
      min: z.number().min(0).max(100).default(80).describe('Lowest percentage that passes.'),
      ...gateCommon,
    }).describe('Fails when test coverage is below a minimum.'),
    z.strictObject({
      builtin: z.literal('required-files'),
      files: z.array(z.string().min(1)).min(1).describe('Globs that must each match a file (with when: a changed file).'),
      when: globs('Globs of changed paths that make the files required (empty: always required, and they need only exist).'),
      ...gateCommon,
    }).describe('Fails when a required file is missing, or, with when, when paths matching when change without a file matching files changing too.'),
    z.strictObject({
      builtin: z.literal('dependency-audit'),
      command: CommandSchema.default(['npm', 'audit', '--json']).describe('Command printing an audit in the shape of npm audit --json.'),
      max_severity: z.enum(['none', 'info', 'low', 'moderate', 'high', 'critical']).default('moderate').describe('Highest severity allowed without an exception (none: every advisory fails).'),
      exceptions: z
        .array(z.strictObject({
          advisory: z.string().min(1).describe('The advisory: a GHSA id, its URL, or npm\'s numeric id.'),
          reason: z.string().min(1).describe('Why the advisory is accepted.'),
          expires: z.iso.date({error: 'a date like 2026-12-31'}).describe('Last day (UTC) the exception holds; after it the gate fails again.'),
        }))
        .default([])
        .describe('Advisories accepted for a while, each with a reason and an expiry date.'),
      ...gateCommon,
    }).describe('Fails when the dependency audit reports an advisory above max_severity that no unexpired exception covers.'),
    z.strictObject({
      builtin: z.literal('api-compatibility'),
      specs: z.array(z.string().min(1)).min(1).describe('OpenAPI documents (JSON or YAML), relative to the repository root.'),
      ...gateCommon,
    }).describe('Fails on breaking changes to the OpenAPI documents since the base, unless a commit declares a breaking change (! or BREAKING CHANGE).'),
  ],
  {error: 'a builtin gate: conventional-commits, branch-name, no-secrets, coverage, required-files, dependency-audit or api-compatibility'},
)

/** One quality gate: a command to run, or a builtin check. */
export const GateSchema = z.union([runGate, builtinGate], {error: 'a gate: {run: COMMAND} or {builtin: NAME}'})

const STAGE_DESCRIPTIONS: Record<string, string> = {
  'pre-commit': 'Gates run by the pre-commit git hook.',
  'commit-msg': 'Gates run by the commit-msg git hook.',
  'pre-push': 'Gates run by the pre-push git hook.',
  submit: 'Gates run before a branch is submitted for review (and in CI).',
  release: 'Gates run before a release is cut.',
  deploy: 'Gates run before a deployment.',
}
const gateList = (description: string) => z.array(z.string().min(1)).describe(description)

const stages = z
  .strictObject(Object.fromEntries(Object.entries(STAGE_DESCRIPTIONS).map(([name, d]) => [name, gateList(d).optional()])) as Record<string, z.ZodOptional<z.ZodArray<z.ZodString>>>)
  .catchall(gateList('Gates of a stage of your own, run with flow gates run NAME.'))
  .prefault({})
  .describe('Stages: named lists of gates, run together.')

const GIT_HOOKS = ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit', 'pre-push', 'post-checkout', 'post-merge', 'pre-rebase'] as const

const hooks = z
  .strictObject({
    install: z.array(z.enum(GIT_HOOKS)).default(['pre-commit', 'pre-push']).describe('Stages installed as git hooks by flow hooks install (each runs the stage of the same name).'),
  })
  .prefault({})
  .describe('Git hooks that run stages.')

const ci = z
  .strictObject({
    provider: z.enum(['github-actions']).default('github-actions').describe('CI system the workflow is generated for.'),
    node: z.union([z.string().min(1), z.number()], {error: 'a Node.js version such as 20'}).transform(String).default('20').describe('Node.js version CI uses.'),
    path: z.string().min(1).default('.github/workflows/flow.yml').describe('Where flow ci generate writes the workflow.'),
  })
  .prefault({})
  .describe('The CI workflow generated from the stages.')

const release = z
  .strictObject({
    tag: pattern(['version', 'name', 'package'], ['version'], 'Tag names: {version} and, in monorepos, {name} (or {package}): the package name. Without {name}, packages default to {name}@{version}.').default('v{version}'),
    changelog: z.union([z.string().min(1), z.literal(false)], {error: 'a file path, or false for no changelog'}).default('CHANGELOG.md').describe('Changelog file, or false.'),
    bump: z.array(z.string().min(1)).default([]).describe('Files whose version field is bumped (package.json, ...).'),
    prerelease: z.record(z.string(), z.string().min(1)).default({}).describe('Branches that cut prereleases, with their identifier, e.g. {next: rc}.'),
    branches: names('Branches releases are cut from (default: the main branch).'),
    packages: z
      .record(
        z.string().regex(/^[^\s{}]+$/, {error: 'a package name without spaces or braces'}),
        z.strictObject({
          path: z.string().min(1).describe('The package directory, relative to the repository root: only commits touching it count for its version.'),
          tag: pattern(['version', 'name', 'package'], ['version'], 'Tag names of this package (default: release.tag when it has {name}, else {name}@{version}).').optional(),
          changelog: z.union([z.string().min(1), z.literal(false)], {error: 'a file path, or false for no changelog'}).optional().describe('Changelog of this package, relative to the repository root (default: <path>/CHANGELOG.md), or false.'),
          bump: z.array(z.string().min(1)).optional().describe('Files whose version field is bumped, relative to the repository root (default: <path>/package.json when it exists).'),
        }),
      )
      .default({})
      .describe('Monorepo packages by name, each versioned and tagged on its own (flow release plan/cut/notes --package NAME).'),
    notes: z
      .strictObject({
        sections: z
          .array(z.strictObject({title: z.string().min(1), types: z.array(z.string().min(1)).min(1)}))
          .default([
            {title: 'Features', types: ['feat']},
            {title: 'Bug fixes', types: ['fix']},
            {title: 'Performance', types: ['perf']},
          ])
          .describe('Release note sections, each listing the commit types it collects.'),
        template: z.string().min(1).optional().describe('Path of a release notes template.'),
      })
      .prefault({})
      .describe('Release notes.'),
  })
  .prefault({})
  .describe('Versioning, tags, changelog and release notes.')

const healthTiming = {
  interval: duration('Time between checks.').default('5s'),
  count: z.int().min(1).default(3).describe('Number of checks.'),
  failure_limit: count('Failed checks tolerated before the deployment counts as failed.').default(0),
  timeout: duration('Time allowed for one check.').default('10s'),
}

const healthUrl = z
  .strictObject({
    url: z.string().min(1).describe('URL to request.'),
    expect: z
      .strictObject({
        status: z.union([z.int(), z.array(z.int()).min(1)], {error: 'an HTTP status or a list of them'}).default(200).describe('Accepted HTTP status codes.'),
        json: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional().describe('Values the JSON body must hold, by dotted path, e.g. {status: ok}.'),
        contains: z.string().optional().describe('Text the body must contain.'),
      })
      .prefault({})
      .describe('What a healthy response looks like.'),
    latency: duration('Slowest acceptable response.').optional(),
    ...healthTiming,
  })
  .describe('An HTTP health check.')

const healthCommand = z.strictObject({command: CommandSchema, ...healthTiming}).describe('A health check command; healthy when it exits 0.')

const health = z.union([healthUrl, healthCommand], {error: 'a health check: {url: ...} or {command: ...}'})

const strategy = z
  .union(
    [
      z.literal('rolling'),
      z.strictObject({
        rolling: z
          .strictObject({
            batch: z.union([z.int().min(1), z.string().regex(/^\d{1,3}%$/)], {error: 'a number of instances, or a percentage like 25%'}).default(1).describe('Instances (or a percentage) replaced at a time: the deploy command runs once per batch with {batch} {batches} / FLOW_BATCH FLOW_BATCHES, checked after each.'),
            instances: z.int().min(1).optional().describe('How many instances there are (needed when batch is a number above 1, to count the batches).'),
            pause: duration('Wait between batches.').default('0s'),
          })
          .refine((r) => typeof r.batch !== 'number' || r.batch === 1 || r.instances !== undefined, {error: 'instances: (how many there are) with a batch of more than 1 instance, or batch as a percentage like 25%'})
          .refine((r) => typeof r.batch !== 'string' || (Number(r.batch.slice(0, -1)) >= 1 && Number(r.batch.slice(0, -1)) <= 100), {error: 'a batch percentage between 1% and 100%'}),
      }),
      z.strictObject({
        canary: z.strictObject({
          weight: CommandSchema.describe('Command that sends {percent} of traffic to the new version.'),
          steps: z
            .array(z.int().min(1).max(100))
            .min(1)
            .default([10, 50, 100])
            .refine((s) => s.every((v, i) => i === 0 || v > (s[i - 1] as number)), {error: 'percentages in increasing order'})
            .describe('Traffic percentages, in order.'),
          pause: duration('Wait at each step.').default('60s'),
          analysis: health.optional().describe('Check run at each step; a failure rolls back.'),
        }),
      }),
      z.strictObject({
        'blue-green': z.strictObject({
          switch: CommandSchema.describe('Command that sends traffic to {color}.'),
          colors: z.array(z.string().min(1)).length(2).default(['blue', 'green']).describe('The two slots.'),
          verify: health.optional().describe('Check of the idle slot before switching.'),
        }),
      }),
    ],
    {error: 'a strategy: rolling, {canary: {...}} or {blue-green: {...}}'},
  )
  .describe('How a deployment replaces the running version.')

const environment = z
  .strictObject({
    description: z.string().optional(),
    url: z.string().min(1).optional().describe('Where the environment is reachable; for previews a pattern with {branch}, {number} or {slug}.'),
    deploy: CommandSchema.optional().describe('Deploy command; gets {sha}, {ref}, {environment} as arguments you place.'),
    rollback: CommandSchema.optional().describe('Rollback command; gets {previous_sha}.'),
    health: health.optional().describe('Health check after a deployment; failing triggers rollback.'),
    after: z
      .union([z.string().min(1), z.array(z.string().min(1))], {error: 'an environment name or a list of them'})
      .transform((v) => (typeof v === 'string' ? [v] : v))
      .default([])
      .describe('Environments a version must reach first (promotion order).'),
    approvals: count('Approvals needed before deploying.').default(0),
    reviewers: names('Who may approve.'),
    strategy: strategy.optional(),
    freeze: z.array(freezeWindow).default([]).describe('Windows in which deployments are blocked.'),
    lock: z.boolean().default(true).describe('Deployments take a lock so two never overlap.'),
    env: envVars,
    services: names('Services deployed to this environment.'),
    preview: z.boolean().default(false).describe('A preview environment, created per branch or pull request.'),
    create: CommandSchema.optional().describe('Creates a preview environment.'),
    destroy: CommandSchema.optional().describe('Destroys a preview environment.'),
    ttl: duration('Idle time after which flow env prune destroys a preview.').optional(),
  })
  .describe('A deployment target.')

const severity = z.strictObject({
  summary: z.string().min(1).describe('What this severity means.'),
  update_every: duration('How often status updates are due.').optional(),
  postmortem: z.enum(['required', 'optional']).default('optional').describe('Whether closing needs a postmortem.'),
  roles: names('Roles that must be assigned (from incidents.roles).'),
})

const DEFAULT_SEVERITIES = {
  sev1: {summary: 'Customer-facing outage', update_every: '30m', postmortem: 'required' as const, roles: []},
  sev2: {summary: 'Degraded service', update_every: '2h', postmortem: 'required' as const, roles: []},
  sev3: {summary: 'Minor impact', postmortem: 'optional' as const, roles: []},
}

const incidents = z
  .strictObject({
    severities: z.record(z.string(), severity).default(DEFAULT_SEVERITIES).describe('Severities, most severe first.'),
    default_severity: z.string().min(1).optional().describe('Severity used when none is given (default: the last one).'),
    notify: z.array(CommandSchema).default([]).describe('Commands run on every incident action; they get {id}, {severity}, {title}, {status}, {event}, {text}, {drill} as separate arguments (a string command: "$FLOW_INCIDENT_<NAME>" variables).'),
    roles: names('Incident roles.').default(['commander', 'communications', 'scribe']),
    postmortem: z
      .strictObject({
        template: z.string().min(1).optional().describe('Path of the postmortem template.'),
        due: duration('Time after resolution by which the postmortem is due.').optional(),
      })
      .prefault({}),
  })
  .prefault({})
  .describe('Incident response.')

const changeType = (approvals: number, reviewAfter: boolean) =>
  z
    .strictObject({
      approvals: count('Approvals needed.').default(approvals),
      review_after: z.boolean().default(reviewAfter).describe('Reviewed after the fact.'),
      description: z.string().optional(),
    })
    .prefault({})

const changes = z
  .strictObject({
    types: z
      .strictObject({standard: changeType(0, false), normal: changeType(1, false), emergency: changeType(0, true)})
      .prefault({})
      .describe('Change types and what each needs.'),
    templates: z
      .record(
        z.string(),
        z.strictObject({
          type: z.enum(['standard', 'normal', 'emergency']).default('normal'),
          match: z
            .strictObject({
              paths: globs('Changed files that select this template.'),
              branches: names('Branch patterns that select this template.'),
              title: z.string().optional().describe('Regular expression on the change title.'),
            })
            .prefault({}),
          template: z.string().min(1).optional().describe('Path of the change request body template.'),
          description: z.string().optional(),
        }),
      )
      .default({})
      .describe('Change templates, chosen by match rules.'),
    risk: z
      .strictObject({
        sensitive: globs('Paths whose change raises risk.'),
        weights: z
          .strictObject({
            sensitive: z.number().default(30).describe('Points for touching a sensitive path.'),
            files: z.number().default(1).describe('Points per changed file.'),
            lines: z.number().default(0.05).describe('Points per changed line.'),
            no_tests: z.number().default(15).describe('Points when no test file changes.'),
            freeze: z.number().default(40).describe('Points inside a freeze window (half of it when one starts within a day).'),
            teams: z.number().default(10).describe('Points per owning team (CODEOWNERS) beyond the first.'),
            environment: z.number().default(5).describe('Points per target environment.'),
            production: z.number().default(20).describe('Extra points when the production environment is a target.'),
            incident: z.number().default(20).describe('Points per recent incident on a touched service.'),
            incident_window: duration('How far back incidents count as recent.').default('30d'),
          })
          .prefault({}),
        thresholds: z
          .array(z.strictObject({score: z.number().min(0), approvals: count('Approvals needed at or above this score.')}))
          .default([{score: 50, approvals: 2}])
          .describe('Risk scores and the approvals they need.'),
      })
      .prefault({})
      .describe('Risk scoring.'),
    freeze: z.array(freezeWindow).default([]).describe('Change freeze windows for every environment.'),
  })
  .prefault({})
  .describe('Change control.')

const service = z.strictObject({
  description: z.string().optional(),
  owner: z.string().min(1).optional().describe('Owning team or person.'),
  paths: globs('Paths of the service in the repository.'),
  environments: names('Environments the service runs in.'),
  slo: z
    .strictObject({
      target: z.number().gt(0).max(100).describe('Target percentage, e.g. 99.9.'),
      window: duration('Rolling window.').default('30d'),
      source: CommandSchema.optional().describe('Command printing {"good": N, "total": N} as JSON: availability from events instead of downtime.'),
      when_exhausted: z.enum(['freeze', 'warn']).default('warn').describe('What a spent error budget does to deployments of the service: freeze refuses them (exit 6), warn only says so.'),
      freeze_environments: names('Environments a spent budget freezes (default: metrics.production, else production).'),
      allow: z
        .strictObject({
          commit_types: names('Deployments whose new commits are all of these types go ahead (fixes).').default(['fix', 'revert']),
          kinds: z.array(z.enum(['rollback', 'hotfix'])).default(['rollback', 'hotfix']).describe('Deployment kinds that go ahead.'),
        })
        .prefault({})
        .describe('Exceptions to the freeze; --break-glass "reason" is always one.'),
    })
    .optional(),
  runbook: z.string().min(1).optional().describe('URL or path of the runbook.'),
})

const metrics = z
  .strictObject({
    window: duration('Default window of flow metrics.').default('30d'),
    production: z.string().min(1).optional().describe('The environment that counts as production (default: production when defined).'),
  })
  .prefault({})
  .describe('Metrics settings.')

const docs = z
  .strictObject({output: z.string().min(1).default('docs/PROCESS.md').describe('Where flow docs generate writes.')})
  .prefault({})
  .describe('The process document.')

const compliance = z
  .strictObject({
    required_gates: names('Gates the policy requires: flow compliance check fails when one is missing, optional, or in no stage.'),
  })
  .prefault({})
  .describe('What flow compliance check holds the repository to, beyond the other sections.')

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])

/** Finds the cycles of a graph given as node → successors; each cycle listed once, starting at its first node. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = []
  const seen = new Set<string>()
  const state = new Map<string, 'active' | 'done'>()
  const stack: string[] = []
  const visit = (node: string) => {
    state.set(node, 'active')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue
      if (state.get(next) === 'active') {
        const cycle = stack.slice(stack.indexOf(next))
        const key = [...cycle].sort().join('\0')
        if (!seen.has(key)) {
          seen.add(key)
          cycles.push(cycle)
        }
      } else if (!state.has(next)) {
        visit(next)
      }
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of graph.keys()) if (!state.has(node)) visit(node)
  return cycles
}

type Ctx = z.RefinementCtx

function refIssue(ctx: Ctx, path: PropertyKey[], found: unknown, what: string, candidates: string[]): void {
  const defined = candidates.length > 0 ? `${what} (defined: ${candidates.join(', ')})` : `${what} (none is defined)`
  ctx.addIssue({code: 'custom', path: path as (string | number)[], input: found, message: defined, params: {expected: defined, found: JSON.stringify(found), candidates} satisfies FlowIssueParams})
}

/** Checks that hold across sections: references between names, cycles, and exclusive fields. */
export {packageTagPattern}

/** release.packages: a {name} tag needs packages; each package's tags are its own (distinct patterns, no nested paths). */
function checkReleasePackages(release: Record<string, unknown>, ctx: Ctx): void {
  const packages = isRecord(release.packages) ? release.packages : {}
  const names = Object.keys(packages)
  if (names.length === 0) {
    if (typeof release.tag === 'string' && /\{(name|package)\}/.test(release.tag)) {
      const text = 'release.tag names {name}, but release.packages defines no package'
      ctx.addIssue({code: 'custom', path: ['release', 'tag'], message: text, params: {expected: 'release.packages, or a tag without {name}', text} satisfies FlowIssueParams})
    }
    return
  }
  const seen = new Map<string, string>()
  const paths = new Map<string, string>()
  for (const [name, pkg] of Object.entries(packages)) {
    if (!isRecord(pkg)) continue
    const tag = packageTagPattern(release, pkg)
    if (!/\{(name|package)\}/.test(tag)) {
      const resolved = tag
      const other = seen.get(resolved)
      if (other !== undefined) {
        const text = `packages ${other} and ${name} would share the tags ${resolved}: add {name} to the pattern`
        ctx.addIssue({code: 'custom', path: ['release', 'packages', name, 'tag'], message: text, params: {expected: 'a tag pattern of its own', text} satisfies FlowIssueParams})
      }
      seen.set(resolved, name)
    }
    if (typeof pkg.path === 'string') {
      const clean = pkg.path.replace(/^\.\//, '').replace(/\/+$/, '')
      if (clean === '' || clean === '.' || clean.startsWith('../') || clean.startsWith('/')) {
        const text = `the path of package ${name} must be a directory inside the repository, not ${JSON.stringify(pkg.path)}`
        ctx.addIssue({code: 'custom', path: ['release', 'packages', name, 'path'], message: text, params: {expected: 'a directory such as packages/' + name, text} satisfies FlowIssueParams})
      }
      const twin = paths.get(clean)
      if (twin !== undefined) {
        const text = `packages ${twin} and ${name} have the same path ${clean}`
        ctx.addIssue({code: 'custom', path: ['release', 'packages', name, 'path'], message: text, params: {expected: 'a path of its own', text} satisfies FlowIssueParams})
      }
      paths.set(clean, name)
    }
  }
}

function crossCheck(value: unknown, ctx: Ctx): void {
  if (!isRecord(value)) return
  const gates = isRecord(value.gates) ? value.gates : {}
  const gateNames = Object.keys(gates)
  if (isRecord(value.stages)) {
    for (const [stage, list] of Object.entries(value.stages)) {
      listOf(list).forEach((name, i) => {
        if (typeof name === 'string' && !gateNames.includes(name)) refIssue(ctx, ['stages', stage, i], name, 'a gate defined under gates', gateNames)
      })
    }
  }
  const needs = new Map<string, string[]>()
  for (const [name, gate] of Object.entries(gates)) {
    const list = isRecord(gate) ? listOf(gate.needs).filter((n): n is string => typeof n === 'string') : []
    needs.set(name, list)
    list.forEach((dep, i) => {
      if (!gateNames.includes(dep)) refIssue(ctx, ['gates', name, 'needs', i], dep, 'a gate defined under gates', gateNames.filter((g) => g !== name))
    })
  }
  for (const cycle of findCycles(needs)) {
    const text = `needs form a cycle: ${[...cycle, cycle[0]].join(' → ')}`
    ctx.addIssue({code: 'custom', path: ['gates', cycle[0] as string, 'needs'], message: text, params: {expected: 'needs without cycles', text} satisfies FlowIssueParams})
  }

  const environments = isRecord(value.environments) ? value.environments : {}
  const envNames = Object.keys(environments)
  const services = isRecord(value.services) ? value.services : {}
  const serviceNames = Object.keys(services)
  const after = new Map<string, string[]>()
  for (const [name, env] of Object.entries(environments)) {
    if (!isRecord(env)) continue
    const list = listOf(env.after).filter((n): n is string => typeof n === 'string')
    after.set(name, list)
    list.forEach((dep, i) => {
      if (!envNames.includes(dep) || dep === name) refIssue(ctx, ['environments', name, 'after', i], dep, 'another environment defined under environments', envNames.filter((e) => e !== name))
    })
    listOf(env.services).forEach((s, i) => {
      if (typeof s === 'string' && !serviceNames.includes(s)) refIssue(ctx, ['environments', name, 'services', i], s, 'a service defined under services', serviceNames)
    })
    if (env.preview === true && env.create === undefined && env.deploy === undefined) {
      const text = 'a preview environment needs create (or deploy)'
      ctx.addIssue({code: 'custom', path: ['environments', name, 'preview'], message: text, params: {expected: 'create or deploy', text} satisfies FlowIssueParams})
    }
    for (const key of ['create', 'destroy', 'ttl'] as const) {
      if (env.preview !== true && env[key] !== undefined) {
        const text = `${key} is only for preview environments (add preview: true)`
        ctx.addIssue({code: 'custom', path: ['environments', name, key], message: text, params: {expected: 'preview: true', text} satisfies FlowIssueParams})
      }
    }
  }
  for (const cycle of findCycles(after)) {
    const text = `after forms a cycle: ${[...cycle, cycle[0]].join(' → ')}`
    ctx.addIssue({code: 'custom', path: ['environments', cycle[0] as string, 'after'], message: text, params: {expected: 'a promotion order without cycles', text} satisfies FlowIssueParams})
  }
  for (const [name, svc] of Object.entries(services)) {
    if (!isRecord(svc)) continue
    listOf(svc.environments).forEach((e, i) => {
      if (typeof e === 'string' && !envNames.includes(e)) refIssue(ctx, ['services', name, 'environments', i], e, 'an environment defined under environments', envNames)
    })
  }
  if (isRecord(value.metrics) && typeof value.metrics.production === 'string' && !envNames.includes(value.metrics.production)) {
    refIssue(ctx, ['metrics', 'production'], value.metrics.production, 'an environment defined under environments', envNames)
  }

  if (isRecord(value.incidents)) {
    const severities = isRecord(value.incidents.severities) ? Object.keys(value.incidents.severities) : []
    const fallback = value.incidents.default_severity
    if (typeof fallback === 'string' && !severities.includes(fallback)) refIssue(ctx, ['incidents', 'default_severity'], fallback, 'a severity defined under incidents.severities', severities)
    const roles = listOf(value.incidents.roles).filter((r): r is string => typeof r === 'string')
    if (isRecord(value.incidents.severities)) {
      for (const [name, sev] of Object.entries(value.incidents.severities)) {
        if (!isRecord(sev)) continue
        listOf(sev.roles).forEach((r, i) => {
          if (typeof r === 'string' && !roles.includes(r)) refIssue(ctx, ['incidents', 'severities', name, 'roles', i], r, 'a role listed in incidents.roles', roles)
        })
      }
    }
  }

  if (isRecord(value.release)) checkReleasePackages(value.release, ctx)

  if (isRecord(value.branches) && value.branches.strategy === 'git-flow' && value.branches.develop === value.branches.main) {
    const text = 'with git-flow, develop must differ from main'
    ctx.addIssue({code: 'custom', path: ['branches', 'develop'], message: text, params: {expected: 'a branch other than main', text} satisfies FlowIssueParams})
  }
}

const base = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema of this file, for editors.'),
    version: z.literal(1, {error: 'version 1'}).default(1).describe('Version of the flow.yml format.'),
    forge,
    branches,
    review,
    commits,
    gates: z.record(z.string(), GateSchema).default({}).describe('Quality gates by name: a command to run, or a builtin check.'),
    stages,
    hooks,
    ci,
    release,
    environments: z.record(z.string(), environment).default({}).describe('Deployment targets by name, in promotion order.'),
    incidents,
    changes,
    services: z.record(z.string(), service).default({}).describe('Services by name: owners, paths, SLOs and runbooks.'),
    metrics,
    docs,
    compliance,
  })
  .describe('flow.yml: how this team works (branches, review, gates, releases, environments, incidents, changes).')

/** Fills the defaults that depend on other fields (release branches, default severity, production environment). */
function fillDerived(config: z.output<typeof base>) {
  const severities = Object.keys(config.incidents.severities)
  return {
    ...config,
    release: {...config.release, branches: config.release.branches.length > 0 ? config.release.branches : [config.branches.main]},
    incidents: {...config.incidents, default_severity: config.incidents.default_severity ?? severities.at(-1)},
    metrics: {...config.metrics, production: config.metrics.production ?? ('production' in config.environments ? 'production' : undefined)},
  }
}

/** The schema of flow.yml: the single contract of the file, with defaults for everything a command needs. */
export const FlowConfigSchema = base.superRefine(crossCheck, {when: () => true}).transform(fillDerived)

/** flow.yml after validation, with every default filled in. */
export type FlowConfig = z.output<typeof FlowConfigSchema>
/** flow.yml as a user may write it. */
export type FlowConfigInput = z.input<typeof FlowConfigSchema>
/** One gate, validated. */
export type GateConfig = FlowConfig['gates'][string]
/** One environment, validated. */
export type EnvironmentConfig = FlowConfig['environments'][string]
/** One health check, validated. */
export type HealthConfig = NonNullable<EnvironmentConfig['health']>
/** One incident severity, validated. */
export type SeverityConfig = FlowConfig['incidents']['severities'][string]
/** One service, validated. */
export type ServiceConfig = FlowConfig['services'][string]

/** The effective configuration of an empty or missing flow.yml. */
export function defaultConfig(): FlowConfig {
  return FlowConfigSchema.parse({})
}

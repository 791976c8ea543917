/** The interfaces the core and the engine need; adapters in src/providers implement them. */

/** Options of one git invocation. */
export interface GitRunOptions {
  /** Text fed to git's standard input. */
  input?: string
  /** Extra environment for this invocation only. */
  env?: Record<string, string>
  /** Directory to run in (default: the repository the port was made for). */
  cwd?: string
  /** Resolve with the result instead of throwing when git exits non-zero. */
  allowFailure?: boolean
  /** Leave trailing whitespace of stdout as it is. */
  raw?: boolean
  /** How stdout is decoded (default utf8); `latin1` keeps every byte, for binary output such as `cat-file --batch`. */
  encoding?: 'utf8' | 'latin1'
  /** Large output (megabytes): git writes it to a temporary file, read at the end, instead of a 64 KiB pipe. */
  large?: boolean
}

/** What one git invocation printed. */
export interface GitResult {
  stdout: string
  stderr: string
  exitCode: number
}

/** Runs git with an argument vector (never a shell line). */
export interface Git {
  /** The directory commands run in. */
  readonly cwd: string
  /** Runs git and returns stdout with the trailing newline trimmed; throws FlowError GIT_FAILED on failure. */
  run(args: string[], options?: GitRunOptions): Promise<string>
  /** Runs git and returns the full result, never throwing on a non-zero exit. */
  exec(args: string[], options?: GitRunOptions): Promise<GitResult>
  /**
   * Runs git and hands its stdout (utf8) to `onData` in chunks, so a long output (a whole history) is parsed
   * without one giant string; throws FlowError GIT_FAILED on failure. Optional: callers fall back to `run`.
   */
  stream?(args: string[], onData: (text: string) => void, options?: Pick<GitRunOptions, 'cwd' | 'env'>): Promise<void>
  /**
   * Runs git and returns stdout as bytes, never throwing on a non-zero exit: for megabytes of binary output
   * (`cat-file --batch` over a record collection) without a string in between. Optional: callers fall back to
   * `exec` with `encoding: 'latin1'`.
   */
  execBytes?(args: string[], options?: Pick<GitRunOptions, 'input' | 'env' | 'cwd' | 'large'>): Promise<GitBytesResult>
}

/** What one git invocation printed, stdout as bytes. */
export interface GitBytesResult {
  stdout: Buffer
  stderr: string
  exitCode: number
}

/** Options of one user command (gate, deploy, notify). */
export interface ShellRunOptions {
  cwd?: string
  env?: Record<string, string>
  /** Milliseconds before the command is killed. */
  timeoutMs?: number
  /** Stream output to stderr as it runs instead of capturing only. */
  stream?: boolean
  input?: string
  /** Stops the command (and every process it started) when aborted. */
  signal?: AbortSignal
}

/** What one user command did. */
export interface ShellResult {
  exitCode: number
  stdout: string
  stderr: string
  timedOut: boolean
  /** True when the command was stopped through `signal`. */
  cancelled?: boolean
  /** stdout and stderr interleaved in the order they were written. */
  output?: string
  durationMs: number
}

/** Runs the team's own commands: argv arrays directly, strings only through the user's shell. */
export interface Shell {
  run(command: string[] | string, options?: ShellRunOptions): Promise<ShellResult>
  /** True when an executable of that name is on PATH. */
  which(name: string): Promise<string | undefined>
}

/** Asks the user; only called when prompting is allowed. */
export interface Prompter {
  readonly canPrompt: boolean
  confirm(message: string, defaultValue?: boolean): Promise<boolean>
  input(message: string, defaultValue?: string): Promise<string>
  select<T extends string>(message: string, choices: Array<{value: T; name?: string; description?: string}>, defaultValue?: T): Promise<T>
}

/** Progress and warnings for people: stderr, silent parts under --json. */
export interface Reporter {
  /** A line of progress (stderr). */
  progress(message: string): void
  /** A warning (stderr), also under --json. */
  warn(message: string): void
  /** A line of human output (stdout), silent under --json. */
  info(message: string): void
}

/** Time, through a port so tests are deterministic. */
export interface Clock {
  now(): Date
}

/** Unique ids, through a port so tests are deterministic. */
export interface Ids {
  /** A sortable unique id (ULID: 26 Crockford base32 characters, time first). */
  ulid(): string
}

/** One event of a record in the record store. */
export interface RecordEvent<D = Record<string, unknown>> {
  /** Sortable unique id (ULID); also the event's file name. */
  id: string
  /** What happened, e.g. `declared`, `note`, `resolved`. */
  type: string
  /** ISO-8601 time the event happened (may differ from when it was written). */
  at: string
  /** Who did it (git user.email or forge login). */
  actor?: string
  data: D
}

/** A new event, before the store gives it an id. */
export interface NewRecordEvent<D = Record<string, unknown>> {
  type: string
  at?: string
  actor?: string
  data: D
}

/**
 * The append-only record store on the `flow/records` branch. Collections are flow's own names (`incidents`); a record
 * id is any non-empty text without control characters (`INC-7`, or a tag such as `pkg/v1.0.0`): the store maps it
 * to a storage name itself, reversibly.
 */
export interface RecordStore {
  /** Appends one event to `collection/recordId`, committing it to the records branch. */
  append<D = Record<string, unknown>>(collection: string, recordId: string, event: NewRecordEvent<D>): Promise<RecordEvent<D>>
  /** Appends several events in one commit. */
  appendMany(entries: Array<{collection: string; recordId: string; event: NewRecordEvent}>): Promise<RecordEvent[]>
  /** The events of one record, oldest first. */
  events<D = Record<string, unknown>>(collection: string, recordId: string): Promise<Array<RecordEvent<D>>>
  /** Every event of a collection, grouped by record id, each oldest first. */
  collection(collection: string): Promise<Map<string, RecordEvent[]>>
  /** The record ids of a collection. */
  list(collection: string): Promise<string[]>
  /** The next free number for ids such as `PR-12` in a collection (max existing + 1). */
  nextNumber(collection: string): Promise<number>
}

/** A pull request, on GitHub or as a local review record. */
export interface PullRequest {
  number: number
  url: string
  title: string
  body: string
  head: string
  base: string
  state: 'open' | 'closed' | 'merged'
  draft: boolean
  headSha?: string
  mergeSha?: string
}

/** Who reviews a pull request, its labels and assignees. */
export interface PullRequestMeta {
  reviewers?: string[]
  /** Team slugs (the part after `org/`). */
  teamReviewers?: string[]
  labels?: string[]
  assignees?: string[]
}

/** A review on a pull request. */
export interface Review {
  id: number | string
  author: string
  state: 'approved' | 'changes_requested' | 'commented' | 'dismissed' | 'pending'
  body?: string
  submittedAt?: string
}

/** A release on the forge. */
export interface Release {
  id: number | string
  tag: string
  name: string
  body: string
  draft: boolean
  prerelease: boolean
  url: string
}

/** An issue (incidents are mirrored to issues on GitHub). */
export interface ForgeIssue {
  number: number
  url: string
  title: string
  body: string
  state: 'open' | 'closed'
  labels: string[]
  /** When it was opened and closed (ISO-8601), where the forge says. */
  createdAt?: string
  closedAt?: string
}

/** A deployment and its latest status. */
export interface Deployment {
  id: number | string
  ref: string
  sha: string
  environment: string
  description?: string
  createdAt: string
  state?: DeploymentState
}

/** The states GitHub's Deployments API knows. */
export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success'

/** Which forge flow would use and where its token came from (never the token itself). */
export interface ForgeInfo {
  kind: 'github' | 'local'
  describe: string
  host?: string
  owner?: string
  repo?: string
  /** The ssh alias the origin URL used, when it stood for the GitHub host. */
  alias?: string
  /** The API base the GitHub forge talks to. */
  apiUrl?: string
  tokenSource: 'GH_TOKEN' | 'GITHUB_TOKEN' | 'gh auth token' | 'none'
  /** Why this forge was chosen (configured, or detected). */
  reason: string
  /** Set when the configured forge cannot work as things are (no token, no GitHub remote). */
  problem?: {code: string; message: string; hint?: string}
}

/** The forge: pull requests, reviews, releases, issues and comments, deployments and statuses. */
export interface Forge {
  readonly kind: 'github' | 'local'
  /** Where the forge lives, for messages (`github.com/owner/repo`, `local records`). */
  readonly describe: string
  findPullRequest(query: {head: string; base?: string; state?: 'open' | 'closed' | 'all'}): Promise<PullRequest | undefined>
  getPullRequest(number: number): Promise<PullRequest>
  createPullRequest(input: {head: string; base: string; title: string; body: string; draft?: boolean}): Promise<PullRequest>
  updatePullRequest(number: number, patch: {title?: string; body?: string; base?: string; state?: 'open' | 'closed'}): Promise<PullRequest>
  /** Requests reviews (users, and team slugs), adds labels and assignees; empty lists are left alone. */
  updatePullRequestMeta(number: number, meta: PullRequestMeta): Promise<void>
  mergePullRequest(number: number, input: {method: 'merge' | 'squash' | 'rebase'; sha?: string; title?: string; message?: string}): Promise<{merged: boolean; sha?: string}>
  listReviews(number: number): Promise<Review[]>
  createReview(number: number, input: {event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT'; body?: string}): Promise<Review>
  findReleaseByTag(tag: string): Promise<Release | undefined>
  createRelease(input: {tag: string; name: string; body: string; draft?: boolean; prerelease?: boolean; target?: string}): Promise<Release>
  updateRelease(id: number | string, patch: {name?: string; body?: string; draft?: boolean; prerelease?: boolean}): Promise<Release>
  /** Deletes a release (the git tag stays); used to undo a draft that was never published. */
  deleteRelease(id: number | string): Promise<void>
  createIssue(input: {title: string; body: string; labels?: string[]}): Promise<ForgeIssue>
  updateIssue(number: number, patch: {title?: string; body?: string; state?: 'open' | 'closed'; labels?: string[]}): Promise<ForgeIssue>
  findIssues(query: {labels?: string[]; state?: 'open' | 'closed' | 'all'}): Promise<ForgeIssue[]>
  addComment(issueNumber: number, body: string): Promise<{id: number | string; url: string}>
  /** The comments of an issue, oldest first (optional: steps use it to never post a comment twice). */
  listComments?(issueNumber: number): Promise<Array<{id: number | string; body: string; url: string}>>
  createDeployment(input: {ref: string; environment: string; description?: string; payload?: Record<string, unknown>; productionEnvironment?: boolean; transientEnvironment?: boolean}): Promise<Deployment>
  createDeploymentStatus(id: number | string, input: {state: DeploymentState; description?: string; environmentUrl?: string; logUrl?: string}): Promise<void>
  listDeployments(query: {environment?: string; sha?: string}): Promise<Deployment[]>
  /** Sets a commit status (`flow/change`) so branch protection can require it; only forges that have statuses implement it. */
  createCommitStatus?(sha: string, input: {state: 'error' | 'failure' | 'pending' | 'success'; context: string; description?: string; targetUrl?: string}): Promise<void>
}

/** What a forge enforces on one branch (branch protection, or the rulesets that apply to it), normalised. */
export interface EnforcedBranchRules {
  /** Where the settings come from, for evidence (`branch protection`, `ruleset 42`). */
  source: string
  /** Changes must go through a pull request. */
  pullRequest: boolean
  /** Approving reviews required (0 when none). */
  approvals: number
  codeOwnerReview: boolean
  dismissStaleReviews: boolean
  /** Names (contexts) of the status checks that must pass. */
  statusChecks: string[]
  blocksForcePushes: boolean
  blocksDeletions: boolean
}

/** A deployment environment on the forge and who must approve deployments to it. */
export interface ForgeEnvironment {
  name: string
  /** Users (login) and teams (slug) of its required-reviewers rule; empty when it has none. */
  reviewers: string[]
  /** True when the environment has a required-reviewers rule. */
  requiresReview: boolean
}

/**
 * Read-only repository settings, for `flow compliance check`. Only forges that have such settings implement it
 * (GitHub); errors are FlowErrors (FORGE_PERMISSION / FORGE_NOT_FOUND when the token may not read them).
 */
export interface ForgeSettings {
  /** Classic branch protection of a branch, or undefined when the branch is not protected. */
  getBranchProtection(branch: string): Promise<EnforcedBranchRules | undefined>
  /** The rulesets' rules that apply to a branch, merged, or undefined when none applies. */
  getBranchRules(branch: string): Promise<EnforcedBranchRules | undefined>
  /** The repository's deployment environments. */
  listEnvironments(): Promise<ForgeEnvironment[]>
}

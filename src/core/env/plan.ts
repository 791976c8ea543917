import {parseDuration} from '../config/duration.js'
import type {FlowConfig, HealthConfig} from '../config/schema.js'
import {FlowError} from '../errors.js'
import type {DeploymentKind} from '../records/facts.js'
import {gateStageSteps} from '../gates/gate-steps.js'
import type {StepSpec} from '../../engine/types.js'
import type {CommandValues} from './commands.js'
import type {BeginInput, CommandInput, DeploymentSpec, FinishInput, Role, VerifyInput, When} from './steps.js'

/** What to deploy where, decided before planning (the policy check has already passed or was overridden). */
export interface DeployPlanInput {
  environment: string
  sha: string
  ref: string
  version?: string
  kind: DeploymentKind
  /** What runs there now (the live deployment), if anything. */
  previous?: {sha: string; version?: string; color?: string; deployment?: string}
  /** Unique per plan (ids.ulid()); the rollback's token is derived from it. */
  token: string
  breakGlass?: {reason: string; overrode: string[]; messages: string[]}
  /** The change request the deployment runs under (`flow change implement`); stored on the deployment. */
  changeId?: string
  actor?: string
  /** GitHub's log_url; `{id}` becomes the deployment id. */
  logUrl?: string
  /** Leave out the `deploy` gate stage (break-glass). */
  skipGates?: boolean
}

/** The strategy of an environment, by name. */
export function strategyName(env: FlowConfig['environments'][string]): DeploymentSpec['strategy'] {
  const s = env.strategy
  if (s === undefined || s === 'rolling' || 'rolling' in s) return 'rolling'
  return 'canary' in s ? 'canary' : 'blue-green'
}

/** How many batches a rolling deployment runs in, and the pause between them (1 batch: one deploy, as a plain rolling). */
export function rollingBatches(env: FlowConfig['environments'][string]): {batches: number; pauseMs: number} {
  const s = env.strategy
  if (!s || typeof s !== 'object' || !('rolling' in s)) return {batches: 1, pauseMs: 0}
  const {batch, instances, pause} = s.rolling
  const batches = typeof batch === 'string' ? Math.ceil(100 / Number(batch.slice(0, -1))) : instances === undefined ? 1 : Math.ceil(instances / batch)
  return {batches: Math.max(1, batches), pauseMs: parseDuration(pause)}
}

/**
 * The steps of one deployment, a pure function of flow.yml and the input: the `deploy` gate stage, the record, the
 * strategy's commands and checks, the automatic rollback (steps that run only when the deployment failed after it
 * could take traffic), and the outcome. Reusable by other features (`flow change implement` passes `changeId`).
 */
export function buildDeploySteps(config: Pick<FlowConfig, 'environments' | 'stages' | 'metrics'>, input: DeployPlanInput): {steps: StepSpec[]; deployment: DeploymentSpec; rollback?: DeploymentSpec} {
  const env = config.environments[input.environment]
  if (!env) throw new FlowError('USAGE', `${input.environment} is not an environment of flow.yml`, {hint: `Environments: ${Object.keys(config.environments).join(', ') || 'none'}.`})
  if (!env.deploy) throw new FlowError('CONFIG_INVALID', `environments.${input.environment} has no deploy command`, {hint: 'Add deploy: ["./scripts/deploy.sh", "{sha}"] to it in flow.yml.'})
  const deploy = env.deploy
  const strategy = input.kind === 'rollback' && strategyName(env) === 'canary' ? 'rolling' : strategyName(env)
  const colors = env.strategy && typeof env.strategy === 'object' && 'blue-green' in env.strategy ? env.strategy['blue-green'].colors : []
  const color = strategy === 'blue-green' ? (colors.find((c) => c !== input.previous?.color) ?? colors[0]) : undefined
  const deployment: DeploymentSpec = {
    token: input.token, environment: input.environment, sha: input.sha, ref: input.ref, kind: input.kind, services: env.services, strategy,
    production: (config.metrics.production ?? 'production') === input.environment,
    ...(input.previous ? {previousSha: input.previous.sha} : {}),
    ...(input.version ? {version: input.version} : {}),
    ...(color ? {color} : {}),
    ...(input.breakGlass ? {breakGlass: input.breakGlass} : {}),
    ...(input.changeId ? {changeId: input.changeId} : {}),
    ...(input.kind === 'rollback' && input.previous?.deployment ? {rollbackOf: input.previous.deployment} : {}),
    ...(env.url ? {url: env.url} : {}),
    ...(input.logUrl ? {logUrl: input.logUrl} : {}),
    ...(input.actor ? {actor: input.actor} : {}),
  }
  const values: CommandValues = {environment: input.environment, sha: input.sha, ref: input.ref, ...(input.previous ? {previousSha: input.previous.sha} : {}), ...(input.version ? {version: input.version} : {})}
  const vars = env.env
  const steps: StepSpec[] = input.skipGates ? [] : gateStageSteps(config, 'deploy')
  const begin = (role: Role, when: When, spec: DeploymentSpec): StepSpec => ({kind: 'env.begin', input: {role, when, deployment: spec} satisfies BeginInput})
  const command = (role: Role, when: When, purpose: CommandInput['purpose'], cmd: CommandInput['command'], v: CommandValues, live: boolean, delayMs = 0): StepSpec => ({kind: 'env.command', input: {role, when, purpose, command: cmd, values: v, env: vars, live, ...(delayMs > 0 ? {delayMs} : {})} satisfies CommandInput})
  const verify = (role: Role, when: When, phase: string, check: HealthConfig | undefined, v: CommandValues, delayMs = 0): StepSpec[] =>
    check ? [{kind: 'env.verify', input: {role, when, phase, check, values: v, env: vars, delayMs, token: `${input.token}:${role}:${phase}`} satisfies VerifyInput}] : []

  steps.push(begin('main', 'always', deployment))
  const previous = input.previous
  let rollback: DeploymentSpec | undefined
  const rollbackSpec = (extra: Partial<DeploymentSpec> = {}): DeploymentSpec => ({
    ...deployment, token: `${input.token}:rollback`, kind: 'rollback', sha: previous!.sha, ref: previous!.sha, previousSha: input.sha,
    ...(previous!.version ? {version: previous!.version} : {version: undefined}), breakGlass: undefined, ...extra,
  })
  const rollbackValues: CommandValues = previous ? {environment: input.environment, sha: previous.sha, ref: previous.sha, previousSha: previous.sha, ...(previous.version ? {version: previous.version} : {})} : values

  if (strategy === 'blue-green' && env.strategy && typeof env.strategy === 'object' && 'blue-green' in env.strategy) {
    const bg = env.strategy['blue-green']
    const idle = {...values, color: color!}
    steps.push(command('main', 'always', 'deploy', deploy, idle, false))
    steps.push(...verify('main', 'ok', 'idle', bg.verify ?? env.health, idle))
    steps.push(command('main', 'ok', 'switch', bg.switch, idle, true))
    if (bg.verify && env.health) steps.push(...verify('main', 'ok', 'live', env.health, idle))
    if (previous?.color) {
      rollback = rollbackSpec({color: previous.color})
      const back = {...rollbackValues, color: previous.color}
      steps.push(begin('rollback', 'rollback', rollback), command('rollback', 'rollback', 'switch', bg.switch, back, true), ...verify('rollback', 'rollback', 'rollback', env.health, back))
    }
  } else if (strategy === 'canary' && env.strategy && typeof env.strategy === 'object' && 'canary' in env.strategy) {
    const canary = env.strategy.canary
    steps.push(command('main', 'always', 'deploy', deploy, values, false))
    for (const percent of canary.steps) {
      steps.push(command('main', 'ok', 'weight', canary.weight, {...values, percent}, true))
      steps.push(...verify('main', 'ok', `canary ${percent}%`, canary.analysis ?? env.health, {...values, percent}, parseDuration(canary.pause)))
    }
    if (previous) {
      rollback = rollbackSpec()
      steps.push(begin('rollback', 'rollback', rollback), command('rollback', 'rollback', 'weight', canary.weight, {...values, percent: 0}, true))
      if (env.rollback) steps.push(command('rollback', 'rollback', 'rollback', env.rollback, rollbackValues, true))
      steps.push(...verify('rollback', 'rollback', 'rollback', env.health, rollbackValues))
    } else {
      // Nothing ran before: aborting only takes the traffic away from the new version again.
      steps.push(command('main', 'rollback', 'weight', canary.weight, {...values, percent: 0}, false))
    }
  } else {
    const run = input.kind === 'rollback' && env.rollback ? env.rollback : deploy
    const purpose = input.kind === 'rollback' && env.rollback ? 'rollback' : 'deploy'
    const own = purpose === 'rollback' ? {...values, previousSha: input.sha} : values
    // Batches: the deploy command once per batch ({batch} of {batches}), each batch checked before the next, with the
    // pause before each batch after the first; a failed batch stops the rest (when: ok) and rolls back.
    const {batches, pauseMs} = rollingBatches(env)
    if (purpose === 'deploy' && batches > 1) {
      for (let b = 1; b <= batches; b++) {
        const v = {batch: b, batches}
        steps.push(command('main', b === 1 ? 'always' : 'ok', 'deploy', run, {...own, ...v}, true, b === 1 ? 0 : pauseMs))
        steps.push(...verify('main', 'ok', `batch ${b}/${batches}`, env.health, {...values, ...v}))
      }
    } else {
      steps.push(command('main', 'always', purpose, run, own, true))
      steps.push(...verify('main', 'ok', 'deploy', env.health, values))
    }
    if (previous && input.kind !== 'rollback') {
      rollback = rollbackSpec()
      const backValues = env.rollback ? rollbackValues : {...rollbackValues, previousSha: input.sha}
      steps.push(begin('rollback', 'rollback', rollback))
      if (env.rollback || batches === 1) {
        steps.push(command('rollback', 'rollback', env.rollback ? 'rollback' : 'deploy', env.rollback ?? deploy, backValues, true), ...verify('rollback', 'rollback', 'rollback', env.health, rollbackValues))
      } else {
        // No rollback command: the previous sha goes back batch by batch (to those never reached too: it is already
        // there, so deploying it again changes nothing), each batch checked.
        for (let b = 1; b <= batches; b++) {
          const v = {batch: b, batches}
          steps.push(command('rollback', 'rollback', 'deploy', deploy, {...backValues, ...v}, true), ...verify('rollback', 'rollback', `rollback batch ${b}/${batches}`, env.health, {...rollbackValues, ...v}))
        }
      }
    }
  }
  steps.push({kind: 'env.finish', input: {deployment, ...(rollback ? {rollback} : {})} satisfies FinishInput})
  return {steps, deployment, ...(rollback ? {rollback} : {})}
}

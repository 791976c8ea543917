import {Command, Flags, Interfaces} from '@oclif/core'
import {resolve} from 'node:path'
import type {Deps} from '../core/deps.js'
import {FlowError, isFlowError} from '../core/errors.js'
import {describeError} from './describe-error.js'
import {redact, redactValue, registerEnvSecrets} from '../core/redact.js'

export {describeError, type ErrorDocument} from './describe-error.js'

/** The flags parsed for a command, its own and the base ones. */
export type FlowFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof FlowCommand)['baseFlags'] & T['flags']>
/** The args parsed for a command. */
export type FlowArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** --dry-run, for every command that changes something. */
export const dryRunFlag = {
  'dry-run': Flags.boolean({description: 'Print the plan and change nothing (as data with --json).'}),
}

/** The base of every flow command: --json, --yes, --cwd, --debug, the prompting rule, errors to exit codes. */
export abstract class FlowCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    yes: Flags.boolean({char: 'y', description: 'Answer yes to confirmations and accept defaults; never prompt.', helpGroup: 'GLOBAL'}),
    cwd: Flags.string({description: 'Run as if flow was started in this directory.', helpGroup: 'GLOBAL'}),
    debug: Flags.boolean({description: 'Show stack traces and git commands for failures.', helpGroup: 'GLOBAL'}),
  }

  protected flags!: FlowFlags<T>
  protected args!: FlowArgs<T>
  private depsPromise?: Promise<Deps>

  override async init(): Promise<void> {
    await super.init()
    registerEnvSecrets(process.env)
    if (process.env.NO_COLOR && !process.env.FORCE_COLOR) process.env.FORCE_COLOR = '0'
    const {args, flags} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof FlowCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as FlowFlags<T>
    this.args = args as FlowArgs<T>
  }

  /** The working directory for this run. */
  protected get cwd(): string {
    return resolve(this.flags?.cwd ?? process.cwd())
  }

  /** True when flow may ask: a TTY on stdin and stdout, no CI, no --json, no --yes. */
  protected canPrompt(): boolean {
    return Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI && !this.jsonEnabled() && !this.flags?.yes)
  }

  /** The dependencies of the services, built once per run. */
  protected deps(): Promise<Deps> {
    this.depsPromise ??= import('./deps.js').then(({createDeps}) =>
      createDeps({cwd: this.cwd, env: process.env, canPrompt: this.canPrompt(), json: this.jsonEnabled(), yes: Boolean(this.flags?.yes), debug: Boolean(this.flags?.debug)}),
    )
    return this.depsPromise
  }

  /** A line of progress on stderr (also under --json). */
  protected progress(message: string): void {
    process.stderr.write(`${redact(message)}\n`)
  }

  override log(message = '', ...args: unknown[]): void {
    super.log(redact(String(message)), ...args)
  }

  override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(redactValue(json), null, 2)}\n`)
  }

  protected override async catch(error: Interfaces.CommandError): Promise<void> {
    const {doc, exit, bug} = describeError(error)
    if (doc.error.code === 'EXIT') throw error
    const json = this.jsonEnabledSafe()
    if (json) {
      this.logJson(doc)
    } else {
      const {default: chalk} = await import('chalk')
      process.stderr.write(`${chalk.red('Error:')} ${redact(doc.error.message)}\n`)
      if (doc.error.hint) process.stderr.write(`${chalk.dim('Hint:')} ${redact(doc.error.hint)}\n`)
    }
    if (this.flagsDebug() && error instanceof Error && (bug || isFlowError(error))) process.stderr.write(`${redact(error.stack ?? '')}\n`)
    this.exit(exit)
  }

  private jsonEnabledSafe(): boolean {
    try {
      return this.jsonEnabled()
    } catch {
      return this.argv.includes('--json')
    }
  }

  private flagsDebug(): boolean {
    return Boolean(this.flags?.debug) || this.argv.includes('--debug')
  }
}

/** Throws the usage error for a missing answer when prompting is not allowed. */
export function needFlag(flag: string, what: string): never {
  throw new FlowError('PROMPT_NEEDED', `${what} is required here and flow cannot prompt`, {hint: `Pass ${flag}.`})
}

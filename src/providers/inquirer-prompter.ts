import type {Prompter} from '../core/ports.js'
import {FlowError} from '../core/errors.js'

/** Prompts through @inquirer/prompts, loaded only when a question is actually asked. */
export class InquirerPrompter implements Prompter {
  constructor(readonly canPrompt: boolean) {}

  private guard(message: string): void {
    if (!this.canPrompt) {
      throw new FlowError('PROMPT_NEEDED', `An answer is needed ("${message}") but flow cannot prompt here`, {
        hint: 'Pass the answer as a flag (see --help), or --yes to accept defaults.',
      })
    }
  }

  async confirm(message: string, defaultValue = false): Promise<boolean> {
    this.guard(message)
    const {confirm} = await import('@inquirer/prompts')
    return confirm({message, default: defaultValue})
  }

  async input(message: string, defaultValue?: string): Promise<string> {
    this.guard(message)
    const {input} = await import('@inquirer/prompts')
    return input({message, default: defaultValue})
  }

  async select<T extends string>(message: string, choices: Array<{value: T; name?: string; description?: string}>, defaultValue?: T): Promise<T> {
    this.guard(message)
    const {select} = await import('@inquirer/prompts')
    return select<T>({message, choices, default: defaultValue})
  }
}

import {chmod, mkdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'
import type {StepKind} from '../../engine/types.js'
import {FlowError} from '../errors.js'

/** Writes a file (hooks, the CI workflow); undo puts back what was there. */
export interface FileWriteInput {
  path: string
  content: string
  /** File mode, e.g. 0o755 for a hook. */
  mode?: number
  /** How the file is named to people (relative path). */
  display?: string
}

/** Renames a file; undo renames it back. */
export interface FileMoveInput {
  from: string
  to: string
  display?: {from: string; to: string}
}

/** Removes a file; undo writes it back. */
export interface FileRemoveInput {
  path: string
  display?: string
}

async function snapshot(path: string): Promise<{content: string | null; mode?: number}> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)])
    return {content, mode: info.mode & 0o777}
  } catch {
    return {content: null}
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false)
}

async function put(path: string, content: string, mode?: number): Promise<void> {
  await mkdir(dirname(path), {recursive: true})
  await writeFile(path, content)
  if (mode !== undefined) await chmod(path, mode)
}

const fileWrite: StepKind<FileWriteInput> = {
  kind: 'file.write',
  describe: (input) => `Write ${input.display ?? input.path}`,
  prepare: async (_ctx, input) => snapshot(input.path),
  async isDone(_ctx, input) {
    const now = await snapshot(input.path)
    return now.content === input.content && (input.mode === undefined || now.mode === input.mode)
  },
  async run(_ctx, input) {
    await put(input.path, input.content, input.mode)
  },
  async undo(ctx, input) {
    const before = ctx.prepared as {content: string | null; mode?: number} | undefined
    if (!before || before.content === null) await rm(input.path, {force: true})
    else await put(input.path, before.content, before.mode)
  },
}

const fileMove: StepKind<FileMoveInput> = {
  kind: 'file.move',
  describe: (input) => `Rename ${input.display?.from ?? input.from} to ${input.display?.to ?? input.to}`,
  async isDone(_ctx, input) {
    return !(await exists(input.from)) && (await exists(input.to))
  },
  async run(_ctx, input) {
    if (await exists(input.to)) throw new FlowError('COMMAND_FAILED', `${input.display?.to ?? input.to} already exists`, {hint: 'Move it out of the way, then run flow continue.'})
    await rename(input.from, input.to)
  },
  async undo(_ctx, input) {
    if (await exists(input.to)) await rename(input.to, input.from)
  },
}

const fileRemove: StepKind<FileRemoveInput> = {
  kind: 'file.remove',
  describe: (input) => `Remove ${input.display ?? input.path}`,
  prepare: async (_ctx, input) => snapshot(input.path),
  isDone: async (_ctx, input) => !(await exists(input.path)),
  async run(_ctx, input) {
    await rm(input.path, {force: true})
  },
  async undo(ctx, input) {
    const before = ctx.prepared as {content: string | null; mode?: number} | undefined
    if (before && before.content !== null) await put(input.path, before.content, before.mode)
  },
}

/** The file step kinds (hooks, CI workflow). */
export const fileStepKinds: StepKind[] = [fileWrite, fileMove, fileRemove]

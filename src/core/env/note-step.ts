import {DEPLOYMENTS_COLLECTION} from '../records/facts.js'
import type {StepKind} from '../../engine/types.js'

/** Input of `env.note`: one event on a lock or approvals record of the deployments collection. */
export interface NoteInput {
  recordId: string
  type: 'locked' | 'unlocked' | 'approved'
  data: Record<string, unknown>
  /** Unique per planned event, so a resumed run never writes it twice. */
  token: string
  actor?: string
  summary: string
}

/** `env.note`: appends one lock, unlock or approval event to the records. */
export const noteKind: StepKind<NoteInput> = {
  kind: 'env.note',
  describe: ({summary}) => summary,
  isDone: async (ctx, {recordId, token}) => (await (await ctx.records()).events(DEPLOYMENTS_COLLECTION, recordId)).some((e) => (e.data as {token?: unknown}).token === token),
  run: async (ctx, {recordId, type, data, token, actor}) => {
    const event = await (await ctx.records()).append(DEPLOYMENTS_COLLECTION, recordId, {type, ...(actor ? {actor} : {}), data: {...data, token}})
    return {event: event.id}
  },
  undo: false,
  cannotUndo: 'records are append-only; run the opposite command (flow env unlock, flow env lock)',
}

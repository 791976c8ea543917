// PLACEHOLDER: replaced by the record store work.
import type {Clock, Git, Ids} from '../core/ports.js'

/** The record store on the flow/records branch, written with git plumbing. */
export class GitRecordStore  {
  constructor(readonly git: Git, readonly clock: Clock, readonly ids: Ids) {}
}

// Raft's annotations: what the servers and clients note on trace events, for
// the checkers (src/check/raft, src/check/linearizability), the metrics and the
// views. Servers note elections, every log write, commits and applies; clients
// note each key-value operation's invocation and response, which is the history
// the linearizability checker judges.
import type { NodeId } from '../../core/process'
import type { KvCommand, KvOp, KvResult } from './types'

/** On the event where a server starts an election: it became candidate in `term`. */
export const RAFT_CANDIDATE = 'raft.candidate'
/** On the event where a server becomes leader of `term`. */
export const RAFT_LEADER = 'raft.leader'
export interface TermNote {
  term: number
}

/**
 * On the event where a server writes `index`: the entry there (and any after it)
 * is replaced by this one, of `term`, whose command has digest `digest`.
 */
export const RAFT_APPEND = 'raft.append'
export interface AppendNote {
  index: number
  term: number
  digest: string
}

/**
 * On the event where a server's commit index rises to `index`; `term` and `digest`
 * name the entry there, `currentTerm` is the server's term when it learns it.
 */
export const RAFT_COMMIT = 'raft.commit'
export interface CommitNote extends AppendNote {
  currentTerm: number
}

/** On the event where a server applies the command at `index` to its state machine. */
export const RAFT_APPLY = 'raft.apply'
export interface ApplyNote {
  index: number
  command: KvCommand
}

/** On the event where client `client` issues its request `seq`. */
export const KV_INVOKE = 'kv.invoke'
export interface InvokeNote {
  client: NodeId
  seq: number
  op: KvOp
}

/** On the event where client `client` receives the result of its request `seq`. */
export const KV_RETURN = 'kv.return'
export interface ReturnNote {
  client: NodeId
  seq: number
  result: KvResult
}

/** A short digest of a command (FNV-1a over its JSON, 8 hex digits): equal commands, equal digests. */
export function commandDigest(c: KvCommand): string {
  const text = JSON.stringify(c)
  let h = 0x811c9dc5
  for (let k = 0; k < text.length; k++) {
    h ^= text.charCodeAt(k)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}

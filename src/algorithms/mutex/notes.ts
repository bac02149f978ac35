// The mutual-exclusion family's shared vocabulary: the annotations its algorithms
// put on trace events and the message types they send. Checkers and metrics read
// runs through these names only, never through an algorithm's internals.
import type { NodeId } from '../../core/process'

/** On the command event that asks for the critical section. */
export const CS_REQUEST = 'cs.request'
/** On the event where the node enters the critical section. */
export const CS_ENTER = 'cs.enter'
/** On the event where the node leaves it (its hold timer). */
export const CS_EXIT = 'cs.exit'
/** On a request command the node ignores: it is already waiting or inside. */
export const CS_IGNORED = 'cs.ignored'
/** Majority voting: an attempt failed (denied or timed out); the node backs off and retries. */
export const CS_RETRY = 'cs.retry'
/** Token algorithms: on the event where the node sends the token on. */
export const TOKEN_PASS = 'token.pass'
/** Token algorithms: on the receive of the token. */
export const TOKEN_RECEIVE = 'token.receive'

export interface IgnoredNote {
  reason: 'waiting' | 'inside'
}
export interface TokenPassNote {
  to: NodeId
}
export interface RetryNote {
  reason: 'denied' | 'timeout'
  votes: number
  needed: number
}

/**
 * Every mutex message names its `type`. A request or release is sent by the node
 * whose entry it serves; every other type (grant, reply, token, vote, deny) is
 * sent to that node. Metrics attribute messages to entries by this rule.
 */
export type MutexMessageType = 'request' | 'release' | 'grant' | 'reply' | 'token' | 'vote' | 'deny'

export const SENT_BY_REQUESTER: ReadonlySet<string> = new Set<MutexMessageType>([
  'request',
  'release',
])

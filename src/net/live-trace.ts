// What a live node records: the simulator's trace events, each with the node's local
// clock reading, before they are given global positions. In a node's own record a
// process event's `i` is -1 and a receive's `cause` is the sender's sequence number
// of the send (the merge, merge.ts, turns both into trace positions).
import type { JsonValue } from '../core/json'
import type { NodeId } from '../core/process'
import type { TraceEvent } from '../core/trace'

export interface LocalRecord {
  /** Local clock reading when it happened, ms: the merge orders by it. */
  at: number
  e: TraceEvent
}

/** An algorithm message on the wire, with the logical time of its send event. */
export interface LiveWire {
  /** Message id, unique in the run: the sender's counter × node count + the sender's id. */
  m: number
  /** The send event's per-node sequence number. */
  q: number
  l: number
  v?: number[]
  p: JsonValue
}

/** Faults one node applies to its own links (set by the experiment's starter or the user). */
export interface LinkFaults {
  /** Probability of losing a message, 0..1. */
  drop?: number
  /** Extra delay added before sending, ms. */
  delayMs?: number
  /** Random extra delay, uniform in [0, jitterMs) ms from the run's seeded stream (FIFO kept). */
  jitterMs?: number
  /** Probability of sending a message twice, 0..1. */
  duplicate?: number
  /** Cut the link: outgoing messages, incoming ones, or both. */
  cut?: 'out' | 'in' | 'both'
}

export type FaultPlan = Partial<Record<NodeId, LinkFaults>>

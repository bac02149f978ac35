// Mutual-exclusion metrics read from a trace: for each request for the critical
// section, whether and when it was served, the messages it cost and the token
// hand-offs it waited for; and what the textbook says those numbers should be.
// The bench and the UI both read runs through these functions.
//
// Attribution of messages to requests (the family's vocabulary, notes.ts): a
// `request` or `release` counts for its sender's latest request; any other type
// (grant, reply, token, vote, deny) counts for its destination's request if that
// one is still open (waiting or inside). So a central-coordinator entry costs
// request + grant + release = 3, a Ricart-Agrawala entry its N-1 requests and
// N-1 replies, a Suzuki-Kasami entry its N-1 requests and the token, and a token
// ring entry the one hand-off that brought the token (the circulation that
// serves nobody counts for no request).
import {
  CS_ENTER,
  CS_EXIT,
  CS_REQUEST,
  CS_RETRY,
  SENT_BY_REQUESTER,
  TOKEN_PASS,
} from '../../algorithms/mutex/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, type Trace } from '../../core/trace'

export interface MutexRequest {
  node: NodeId
  /** Trace position of the cs.request event. */
  request: number
  /** Trace position of the cs.enter event; absent if it was never served. */
  enter?: number
  /** From request to entry, ms (true time; local clock in a live trace). */
  waitMs?: number
  /** Messages attributed to this request (see the top of this file). */
  messages: number
  /** Token hand-offs (token.pass, any node) after the request and up to the entry. */
  handoffs: number
  /** Failed attempts (cs.retry) before the entry. */
  retries: number
}

export interface MutexMetrics {
  algorithm: string
  nodes: number
  requests: MutexRequest[]
  /** Messages put on the wire in the run, one per destination. */
  messages: number
}

interface Open {
  r: MutexRequest
  time: number
  passesBefore: number
  exited: boolean
}

export function mutexMetrics(trace: Pick<Trace, 'meta' | 'events'>): MutexMetrics {
  const requests: MutexRequest[] = []
  const latest = new Map<NodeId, Open>()
  let passes = 0
  let messages = 0
  for (const e of trace.events) {
    if (!isProcessEvent(e)) continue
    if (e.kind === 'send') {
      messages += e.to.length
      const type = (e.payload as { type?: unknown } | null)?.type
      if (typeof type !== 'string') continue
      if (SENT_BY_REQUESTER.has(type)) {
        const o = latest.get(e.node)
        if (o !== undefined) o.r.messages += e.to.length
      } else
        for (const to of e.to) {
          const o = latest.get(to)
          if (o !== undefined && !o.exited) o.r.messages += 1
        }
      continue
    }
    if (e.kind === 'crash') latest.delete(e.node)
    const time = e.time ?? e.local
    for (const note of e.notes ?? []) {
      const o = latest.get(e.node)
      switch (note.kind) {
        case TOKEN_PASS:
          passes += 1
          break
        case CS_REQUEST: {
          const r: MutexRequest = {
            node: e.node,
            request: e.i,
            messages: 0,
            handoffs: 0,
            retries: 0,
          }
          requests.push(r)
          latest.set(e.node, { r, time, passesBefore: passes, exited: false })
          break
        }
        case CS_RETRY:
          if (o !== undefined && o.r.enter === undefined) o.r.retries += 1
          break
        case CS_ENTER:
          if (o === undefined || o.r.enter !== undefined) break
          o.r.enter = e.i
          o.r.waitMs = time - o.time
          o.r.handoffs = passes - o.passesBefore
          break
        case CS_EXIT:
          if (o !== undefined) o.exited = true
          break
      }
    }
  }
  return { algorithm: trace.meta.algorithm, nodes: trace.meta.nodes.length, requests, messages }
}

export interface MutexTheory {
  /** The textbook's figure, as a student reads it. */
  text: string
  /** Bounds on messages per entry, where the theory gives them. */
  messages?: { min: number; max: number }
  /** Bounds on token hand-offs from request to entry. */
  handoffs?: { min: number; max: number }
}

/** What the course notes predict per entry, for `n` nodes (and the algorithm's params). */
export function mutexTheory(
  algorithm: string,
  n: number,
  params: { coordinator?: number; coordinators?: number } = {},
): MutexTheory | undefined {
  switch (algorithm) {
    case 'mutex-central':
      return {
        text: `3 per entry (the coordinator, node ${params.coordinator ?? 0}: 0)`,
        messages: { min: 0, max: 3 },
      }
    case 'ricart-agrawala':
      return { text: `2(N-1) = ${2 * (n - 1)}`, messages: { min: 2 * (n - 1), max: 2 * (n - 1) } }
    case 'suzuki-kasami':
      return { text: `N = ${n} (0 with the token)`, messages: { min: 0, max: n } }
    case 'token-ring':
      return { text: `0..N-1 = 0..${n - 1} hand-offs`, handoffs: { min: 0, max: n - 1 } }
    case 'mutex-majority': {
      const m = params.coordinators ?? n
      return { text: `up to 3m = ${3 * m} per attempt, attempts unbounded` }
    }
  }
  return undefined
}

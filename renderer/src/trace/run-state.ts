// What the trace says at the playback cursor: each node's state (up or down, incarnation,
// logical clocks, local clock, latest notes) and the message counters so far.
import type { ProcessEvent } from '../../../src/core/trace'
import { K, type TraceIndex } from './trace-index'

export interface NodeState {
  node: number
  name: string
  status: 'not started' | 'up' | 'crashed'
  incarnation: number
  /** Events on this node's line so far. */
  events: number
  lamport?: number
  vc?: number[]
  /** The node's local clock at its latest event (ms). */
  local?: number
  /** The latest notes on this node's line, newest first (at most three). */
  notes: string[]
  sent: number
  received: number
}

/** States of all nodes after the first `cursor` events. */
export function nodeStates(index: TraceIndex, cursor: number): NodeState[] {
  const states: NodeState[] = index.meta.nodes.map((name, node) => ({
    node,
    name,
    status: 'not started',
    incarnation: 0,
    events: 0,
    notes: [],
    sent: 0,
    received: 0,
  }))
  const kind = index.kind
  const nodeOf = index.node
  for (let i = 0; i < cursor; i++) {
    const n = nodeOf[i]
    if (n < 0) continue
    const s = states[n]
    const k = kind[i]
    if (k === K.Send)
      s.sent += (index.events[i] as Extract<ProcessEvent, { kind: 'send' }>).to.length
    else if (k === K.Receive) s.received++
  }
  for (const s of states) {
    const list = index.nodeEvents[s.node]
    let count = 0
    for (let lo = 0, hi = list.length; lo < hi;) {
      const mid = (lo + hi) >>> 1
      if (list.data[mid] < cursor) lo = count = mid + 1
      else hi = mid
    }
    s.events = count
    if (count === 0) continue
    const last = index.events[list.data[count - 1]] as ProcessEvent
    s.lamport = last.lamport
    s.vc = last.vc
    s.local = last.local
    s.status = last.kind === 'crash' ? 'crashed' : 'up'
    // The incarnation is on the latest start or recover event.
    for (let k = count - 1; k >= 0; k--) {
      const e = index.events[list.data[k]] as ProcessEvent
      if (e.kind === 'start' || e.kind === 'recover') {
        s.incarnation = e.incarnation
        break
      }
    }
    for (let k = count - 1; k >= 0 && s.notes.length < 3; k--) {
      const e = index.events[list.data[k]] as ProcessEvent
      for (const n of e.notes ?? []) if (s.notes.length < 3) s.notes.push(noteText(n.kind, n.data))
    }
  }
  return states
}

export function noteText(kind: string, data: unknown): string {
  if (data === undefined) return kind
  const text = JSON.stringify(data)
  return `${kind} ${text.length > 60 ? text.slice(0, 57) + '…' : text}`
}

export interface MessageCounters {
  /** Send events (a broadcast is one). */
  sends: number
  /** Messages put on the wire: one per destination. */
  messages: number
  delivered: number
  dropped: number
  duplicated: number
  /** Messages by their payload's `type` (or `kind`) field, most frequent first. */
  byType: { type: string; count: number }[]
}

export function messageCounters(index: TraceIndex, cursor: number): MessageCounters {
  const c = { sends: 0, messages: 0, delivered: 0, dropped: 0, duplicated: 0 }
  const types = new Map<string, number>()
  const kind = index.kind
  for (let i = 0; i < cursor; i++) {
    switch (kind[i]) {
      case K.Send: {
        const e = index.events[i] as Extract<ProcessEvent, { kind: 'send' }>
        c.sends++
        c.messages += e.to.length
        const p = e.payload as { type?: unknown; kind?: unknown } | null
        const type =
          typeof p?.type === 'string' ? p.type : typeof p?.kind === 'string' ? p.kind : ''
        if (type !== '') types.set(type, (types.get(type) ?? 0) + e.to.length)
        break
      }
      case K.Receive:
        c.delivered++
        break
      case K.Drop:
        c.dropped++
        break
      case K.Duplicate:
        c.duplicated++
        break
    }
  }
  const byType = [...types].map(([type, count]) => ({ type, count }))
  byType.sort((a, b) => b.count - a.count || a.type.localeCompare(b.type))
  return { ...c, byType }
}

// Merges the per-node records of a live run into one trace, in an order that respects
// causality: events in each node's own order, every receive (and every drop or
// duplicate) after the send it names, and otherwise by local clock reading. Receive
// causes become trace positions. A node whose process died (its record just stops)
// gets a crash event at its end. If some receive names a send that no record holds
// (a node's record was lost), the merge stops at the last consistent cut and says so.
import type { NodeId } from '../core/process'
import {
  TRACE_FORMAT,
  TRACE_VERSION,
  isProcessEvent,
  type ProcessEvent,
  type Trace,
  type TraceEvent,
  type TraceMeta,
} from '../core/trace'
import type { LocalRecord } from './live-trace'

export interface MergeResult {
  trace: Trace
  /** Records left out because their causes are missing, per node. */
  cut: number[]
}

export function mergeTraces(
  meta: TraceMeta,
  perNode: readonly (readonly LocalRecord[])[],
  /** Nodes whose process died mid-run: their record ends with a crash the merge adds. */
  lost: readonly NodeId[] = [],
): MergeResult {
  const n = meta.nodes.length
  const queues = perNode.map((recs, node) => withCrash(recs, node, lost.includes(node), n, meta))
  const heads = new Array<number>(n).fill(0)
  /** Trace position of each node's events by their sequence number. */
  const position = Array.from({ length: n }, () => new Map<number, number>())
  const sentMsgs = new Set<number>()
  const events: TraceEvent[] = []

  const ready = (r: LocalRecord): boolean => {
    const e = r.e
    if (e.kind === 'receive') return position[e.from]?.has(e.cause) ?? false
    if (e.kind === 'drop' || e.kind === 'duplicate') return sentMsgs.has(e.msg)
    return true
  }

  for (;;) {
    let best = -1
    for (let k = 0; k < n; k++) {
      const r = queues[k]?.[heads[k]]
      if (r === undefined || !ready(r)) continue
      if (best < 0 || r.at < (queues[best][heads[best]] as LocalRecord).at) best = k
    }
    if (best < 0) break
    const r = queues[best][heads[best]++]
    const e = { ...r.e, i: events.length } as TraceEvent
    if (e.kind === 'receive') e.cause = position[e.from].get(e.cause) as number
    if (isProcessEvent(e)) position[e.node].set(e.seq, e.i)
    if (e.kind === 'send') sentMsgs.add(e.msg)
    events.push(e)
  }
  const cut = queues.map((q, k) => q.length - heads[k])
  return { trace: { format: TRACE_FORMAT, version: TRACE_VERSION, meta, events }, cut }
}

/** A node's records, with a crash event after its last one if its process died. */
function withCrash(
  recs: readonly LocalRecord[],
  node: NodeId,
  died: boolean,
  n: number,
  meta: TraceMeta,
): readonly LocalRecord[] {
  if (!died) return recs
  const last = [...recs].reverse().find((r) => isProcessEvent(r.e))
  if (last === undefined || last.e.kind === 'crash') return recs
  const prev = last.e as ProcessEvent
  const crash: ProcessEvent = {
    kind: 'crash',
    i: -1,
    node,
    seq: prev.seq + 1,
    lamport: prev.lamport + 1,
    local: prev.local,
    notes: [{ kind: 'process.lost', data: { note: 'the process stopped here' } }],
  }
  if (meta.vectorTime) {
    const vc = [...(prev.vc ?? new Array<number>(n).fill(0))]
    vc[node]++
    crash.vc = vc
  }
  return [...recs, { at: last.at, e: crash }]
}

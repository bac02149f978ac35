// Causal order of a broadcast: if m1 causally precedes m2, no process delivers
// m2 unless it has already delivered m1. Causal precedence among broadcasts is
// the textbook one: m1 -> m2 if one process broadcasts m1 then m2, or delivers m1
// and then broadcasts m2, or by transitivity. It is built from the `bcast` and
// `deliver` notes alone: each process's causal past is, per origin, a prefix of
// that origin's broadcasts, so a vector (per origin, how many of its messages)
// describes it, carried from a message's broadcast to each of its deliveries.
// Not the trace's vector time: a process also receives copies it holds back,
// relays and acknowledgements, which make causal links at the network level
// that its application never saw. Online: flagged at the delivery of m2.
import { notesOf } from '../../core/trace'
import type { NodeId } from '../../core/process'
import {
  BCAST,
  DELIVER,
  type BcastNote,
  type DeliverNote,
  type MessageId,
} from '../../algorithms/broadcast/notes'
import type { CheckerSpec } from '../checker'
import { DeliveredPrefix } from './delivered-prefix'
import { onlineBroadcastChecker } from './online-checker'

export const causalOrderChecker: CheckerSpec = onlineBroadcastChecker(
  'causal-order',
  'A message is delivered only after every message that causally precedes its broadcast',
  (meta, node) => {
    const n = meta.nodes.length
    /** Each origin's broadcasts in order. */
    const sent: MessageId[][] = meta.nodes.map(() => [])
    /** Each message's origin, place among its origin's broadcasts, and causal past. */
    const info = new Map<MessageId, { origin: NodeId; rank: number; past: readonly number[] }>()
    /** Each process's causal past: per origin, how many of its messages. */
    const past = meta.nodes.map(() => new Array<number>(n).fill(0))
    const prefix = new DeliveredPrefix(n)
    return (e, flag) => {
      const p = e.node
      for (const { id } of notesOf<BcastNote>(e, BCAST)) {
        const rank = sent[p].length
        info.set(id, { origin: p, rank, past: [...past[p]] })
        sent[p].push(id)
        past[p][p] = rank + 1
      }
      for (const { id } of notesOf<DeliverNote>(e, DELIVER)) {
        const m = info.get(id)
        if (m === undefined) continue
        const o = m.past.findIndex((count, k) => prefix.next(p, k) < count)
        if (o >= 0)
          flag(
            `${node(p)} delivered ${id} before ${sent[o][prefix.next(p, o)]}, which causally precedes it`,
          )
        prefix.add(p, m.origin, m.rank)
        for (let k = 0; k < n; k++) past[p][k] = Math.max(past[p][k], m.past[k])
        past[p][m.origin] = Math.max(past[p][m.origin], m.rank + 1)
      }
    }
  },
)

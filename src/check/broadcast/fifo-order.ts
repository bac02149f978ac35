// FIFO order of a broadcast: if a process broadcasts m1 before m2, no process
// delivers m2 unless it has already delivered m1. The send order is the order of
// the origin's `bcast` notes in the trace. Online: flagged at the delivery of m2.
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

export const fifoOrderChecker: CheckerSpec = onlineBroadcastChecker(
  'fifo-order',
  'Messages from one origin are delivered in the order it broadcast them, with none skipped',
  (meta, node) => {
    const n = meta.nodes.length
    /** Each origin's broadcasts in order, and each message's place in that order. */
    const sent: MessageId[][] = meta.nodes.map(() => [])
    const rank = new Map<MessageId, { origin: NodeId; rank: number }>()
    const prefix = new DeliveredPrefix(n)
    return (e, flag) => {
      for (const { id } of notesOf<BcastNote>(e, BCAST)) {
        rank.set(id, { origin: e.node, rank: sent[e.node].length })
        sent[e.node].push(id)
      }
      for (const { id } of notesOf<DeliverNote>(e, DELIVER)) {
        const m = rank.get(id)
        if (m === undefined) continue
        const next = prefix.next(e.node, m.origin)
        if (m.rank > next)
          flag(
            `${node(e.node)} delivered ${id} before ${sent[m.origin][next]}, which ${node(m.origin)} broadcast earlier`,
          )
        prefix.add(e.node, m.origin, m.rank)
      }
    }
  },
)

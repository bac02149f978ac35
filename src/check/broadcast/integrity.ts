// Integrity of a broadcast: no duplication (each process delivers a message at
// most once) and no creation (a delivered message was broadcast, by the origin
// its id names). Online: flagged at the delivering event. A process that crashes
// and recovers without stable storage may deliver a message again or reuse an
// id: broadcast algorithms here are crash-stop, and the checker shows why.
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
import { onlineBroadcastChecker } from './online-checker'

export const integrityChecker: CheckerSpec = onlineBroadcastChecker(
  'integrity',
  'Each process delivers a message at most once, and only a message its origin broadcast',
  (meta, node) => {
    const origins = new Map<MessageId, NodeId>()
    const delivered = meta.nodes.map(() => new Set<MessageId>())
    return (e, bad) => {
      for (const { id } of notesOf<BcastNote>(e, BCAST)) {
        if (origins.has(id)) bad(`${node(e.node)} broadcast ${id} again: a message id is reused`)
        origins.set(id, e.node)
      }
      for (const { id, origin } of notesOf<DeliverNote>(e, DELIVER)) {
        const sender = origins.get(id)
        if (sender === undefined) bad(`${node(e.node)} delivered ${id}, which nobody broadcast`)
        else if (sender !== origin)
          bad(
            `${node(e.node)} delivered ${id} as from ${node(origin)}, but ${node(sender)} sent it`,
          )
        if (delivered[e.node].has(id)) bad(`${node(e.node)} delivered ${id} a second time`)
        delivered[e.node].add(id)
      }
    }
  },
)

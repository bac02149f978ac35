// Integrity of a broadcast: no duplication (each process delivers a message at
// most once) and no creation (a delivered message was broadcast, by the origin
// its id names). Online: flagged at the delivering event. A process that crashes
// and recovers without stable storage may deliver a message again or reuse an
// id: broadcast algorithms here are crash-stop, and the checker shows why.
import { isProcessEvent, notesOf } from '../../core/trace'
import type { NodeId } from '../../core/process'
import {
  BCAST,
  DELIVER,
  type BcastNote,
  type DeliverNote,
  type MessageId,
} from '../../algorithms/broadcast/notes'
import { guarantees } from '../../algorithms/broadcast'
import type { Checker, CheckerSpec, Violation } from '../checker'

const name = 'integrity'

export const integrityChecker: CheckerSpec = {
  name,
  description:
    'Each process delivers a message at most once, and only a message its origin broadcast',
  appliesTo: (meta) => guarantees(meta.algorithm, name),
  create(meta): Checker {
    const node = (k: NodeId) => meta.nodes[k] ?? `n${k}`
    const origins = new Map<MessageId, NodeId>()
    const delivered = meta.nodes.map(() => new Set<MessageId>())
    return {
      onEvent(e) {
        if (!isProcessEvent(e) || e.notes === undefined) return undefined
        const out: Violation[] = []
        const bad = (message: string) => out.push({ checker: name, at: e.i, message })
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
        return out.length > 0 ? out : undefined
      },
      finish: () => [],
    }
  },
}

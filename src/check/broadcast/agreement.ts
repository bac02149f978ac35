// Agreement of a reliable broadcast, with validity: every correct process (one
// that never crashed) delivers every message that some correct process delivered
// or broadcast. "Eventually" cannot be decided on a finite run, so this is judged
// at the end, and only for messages broadcast at least SETTLE_MS before the last
// event of the trace: a message broadcast just before the run stopped may still
// be on its way. A violation is reported at the message's broadcast.
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
import { nodeNamer } from './online-checker'

const name = 'agreement'

/** Messages broadcast within this many ms of the end of the run are not judged. */
export const SETTLE_MS = 1000

export const agreementChecker: CheckerSpec = {
  name,
  description: `Every correct process delivers every message a correct process delivered or broadcast (judged for messages broadcast ${SETTLE_MS} ms or more before the end)`,
  appliesTo: (meta) => guarantees(meta.algorithm, name),
  create(meta): Checker {
    const node = nodeNamer(meta)
    const broadcasts = new Map<MessageId, { origin: NodeId; at: number; time: number }>()
    const deliveredBy = new Map<MessageId, Set<NodeId>>()
    const crashed = new Set<NodeId>()
    let end = -Infinity
    return {
      onEvent(e) {
        const time = e.time ?? (isProcessEvent(e) ? e.local : undefined)
        if (time !== undefined) end = Math.max(end, time)
        if (!isProcessEvent(e)) return undefined
        if (e.kind === 'crash') crashed.add(e.node)
        for (const { id } of notesOf<BcastNote>(e, BCAST))
          if (!broadcasts.has(id)) broadcasts.set(id, { origin: e.node, at: e.i, time: time ?? 0 })
        for (const { id } of notesOf<DeliverNote>(e, DELIVER)) {
          let by = deliveredBy.get(id)
          if (by === undefined) deliveredBy.set(id, (by = new Set()))
          by.add(e.node)
        }
        return undefined
      },
      finish() {
        const correct = meta.nodes.map((_, k) => k).filter((k) => !crashed.has(k))
        const out: Violation[] = []
        for (const [id, b] of broadcasts) {
          if (b.time > end - SETTLE_MS) continue
          const by = deliveredBy.get(id) ?? new Set<NodeId>()
          const witness = correct.filter((k) => by.has(k))
          const missing = correct.filter((k) => !by.has(k))
          if (missing.length === 0) continue
          if (witness.length > 0)
            out.push({
              checker: name,
              at: b.at,
              message: `${missing.map(node).join(', ')} never delivered ${id}, which ${witness.map(node).join(', ')} delivered (all correct)`,
            })
          else if (!crashed.has(b.origin))
            out.push({
              checker: name,
              at: b.at,
              message: `${missing.map(node).join(', ')} never delivered ${id}, broadcast by correct ${node(b.origin)}`,
            })
        }
        return out
      },
    }
  },
}

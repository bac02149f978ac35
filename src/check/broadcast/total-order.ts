// Total order of a broadcast: any two processes deliver the messages they both
// deliver in the same relative order. Online: for each pair of processes (a, b)
// the checker keeps the latest place, in b's delivery order, of any message both
// have delivered, counting only messages a delivered so far; when a delivers m
// that b delivered at an earlier place, a and b disagree, flagged at a's delivery.
import { notesOf } from '../../core/trace'
import { DELIVER, type DeliverNote, type MessageId } from '../../algorithms/broadcast/notes'
import type { CheckerSpec } from '../checker'
import { onlineBroadcastChecker } from './online-checker'

export const totalOrderChecker: CheckerSpec = onlineBroadcastChecker(
  'total-order',
  'Any two processes deliver the messages they both deliver in the same order',
  (meta, node) => {
    const n = meta.nodes.length
    /** Each process's place of each message in its delivery order. */
    const place = meta.nodes.map(() => new Map<MessageId, number>())
    /** [a][b]: the message a has delivered that b delivered last, and its place at b. */
    const latest = Array.from({ length: n }, () =>
      Array.from({ length: n }, () => ({ id: '', at: -1 })),
    )
    return (e, flag) => {
      const a = e.node
      for (const { id } of notesOf<DeliverNote>(e, DELIVER)) {
        const here = place[a].size
        place[a].set(id, here)
        for (let b = 0; b < n; b++) {
          const there = b === a ? undefined : place[b].get(id)
          if (there === undefined) continue
          const prev = latest[a][b]
          if (prev.at > there)
            flag(
              `${node(a)} delivered ${prev.id} before ${id}, ${node(b)} delivered them the other way round`,
            )
          else latest[a][b] = { id, at: there }
          if (latest[b][a].at < here) latest[b][a] = { id, at: here }
        }
      }
    }
  },
)

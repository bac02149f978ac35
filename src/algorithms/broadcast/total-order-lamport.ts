// Totally ordered broadcast with Lamport timestamps and acknowledgements (the
// textbook totally ordered multicast). Rules (course notes): each process keeps a
// Lamport clock L and a queue ordered by (timestamp, origin). To broadcast m:
// L += 1, stamp m with L, put m in the own queue and send it to all. On
// receiving a message or an acknowledgement, L = max(L, its stamp) + 1. On
// receiving m: put it in the queue and send an acknowledgement of m, stamped with
// L, to all. A process delivers the message at the head of its queue once every
// process has acknowledged it (the origin by sending it, the process itself by
// queueing it), and repeats while the new head is acknowledged too.
// Why it works: a process that acked m has a clock beyond m's stamp, so anything
// it broadcasts with a smaller stamp was sent before that ack; FIFO links bring
// it first, so nothing smaller can still arrive once the head is fully acked.
// Assumptions: reliable FIFO links (no loss, no duplication, no reordering); no
// crashes (one silent process blocks every delivery).
// Guarantees: integrity, agreement, total order, and, because stamps respect
// happens-before and delivery follows stamps, causal and FIFO order.
import type { JsonValue } from '../../core/json'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import { messageId, noteBcast, noteDeliver, type MessageId } from './notes'
import { BroadcastCommandSchema, randomBroadcast, type BroadcastCommand } from './workload'

type Data = { kind: 'data'; origin: NodeId; seq: number; ts: number; value: JsonValue }
type Ack = { kind: 'ack'; origin: NodeId; seq: number; ts: number }

type State = {
  clock: number
  sent: number
  /** Messages not yet delivered, by (ts, origin). */
  queue: Data[]
  /** Who has acknowledged each message (acks may arrive before the message). */
  acks: Map<MessageId, Set<NodeId>>
}

function before(a: Data, b: Data): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.origin < b.origin)
}

function ackedBy(s: State, id: MessageId): Set<NodeId> {
  let set = s.acks.get(id)
  if (set === undefined) s.acks.set(id, (set = new Set()))
  return set
}

function enqueue(s: State, d: Data, self: NodeId): void {
  let k = s.queue.length
  while (k > 0 && before(d, s.queue[k - 1])) k--
  s.queue.splice(k, 0, d)
  ackedBy(s, messageId(d.origin, d.seq)).add(d.origin).add(self)
}

function deliverAcked(s: State, ctx: Context<Data | Ack>): void {
  while (s.queue.length > 0) {
    const head = s.queue[0]
    const id = messageId(head.origin, head.seq)
    if ((s.acks.get(id)?.size ?? 0) < ctx.nodeCount) return
    s.queue.shift()
    s.acks.delete(id)
    noteDeliver(ctx, head.origin, head.seq)
  }
}

export const totalOrderLamport = defineAlgorithm<State, Data | Ack, BroadcastCommand>({
  name: 'total-order-lamport',
  family: 'broadcast',
  summary: 'Totally ordered broadcast: Lamport stamps, a queue by (stamp, origin), acks from all',
  commands: BroadcastCommandSchema,
  init: () => ({ clock: 0, sent: 0, queue: [], acks: new Map() }),
  onCommand(s, cmd, ctx) {
    s.clock += 1
    s.sent += 1
    noteBcast(ctx, ctx.self, s.sent)
    const d: Data = {
      kind: 'data',
      origin: ctx.self,
      seq: s.sent,
      ts: s.clock,
      value: cmd.value ?? null,
    }
    enqueue(s, d, ctx.self)
    ctx.broadcast(d)
    deliverAcked(s, ctx)
  },
  onMessage(s, from, m, ctx) {
    s.clock = Math.max(s.clock, m.ts) + 1
    if (m.kind === 'ack') ackedBy(s, messageId(m.origin, m.seq)).add(from)
    else {
      enqueue(s, m, ctx.self)
      ctx.broadcast({ kind: 'ack', origin: m.origin, seq: m.seq, ts: s.clock })
    }
    deliverAcked(s, ctx)
  },
  randomCommand: randomBroadcast,
})

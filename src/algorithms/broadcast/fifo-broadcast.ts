// FIFO reliable broadcast. Rules (course notes): each process numbers its own
// broadcasts 1, 2, 3, ... and keeps, per origin, the number it expects next. A
// message received (through reliable broadcast) from origin j with number s is
// delivered when s is the next expected from j; otherwise it waits in the
// hold-back queue. After each delivery, held messages that have become next are
// delivered in turn.
// Assumptions: fair-loss links (loss, duplication, any order: the reliable
// layer resends and de-duplicates), crash-stop processes.
// Guarantees: integrity, agreement (a delivered message's predecessors were
// delivered before it, and reliable broadcast brings them all to every correct
// process), and FIFO order: messages of one origin are delivered in the order it
// broadcast them, with no gaps. Messages of different origins are not ordered.
import { defineAlgorithm } from '../../core/process'
import { messageId, noteDeliver, noteHold, type MessageId } from './notes'
import {
  ReliableParamsSchema,
  rbBroadcast,
  rbReceive,
  rbOnTimer,
  reliableLayer,
  type RbAck,
  type RbData,
  type ReliableLayer,
  type ReliableParams,
} from './reliable-broadcast'
import { BroadcastCommandSchema, randomBroadcast, type BroadcastCommand } from './workload'

type State = {
  rb: ReliableLayer<RbData>
  sent: number
  /** Per origin, the sequence number to deliver next. */
  next: number[]
  held: Map<MessageId, RbData>
}

export const fifoBroadcast = defineAlgorithm<
  State,
  RbData | RbAck,
  BroadcastCommand,
  ReliableParams
>({
  name: 'fifo-broadcast',
  family: 'broadcast',
  summary: 'FIFO reliable broadcast: per-origin sequence numbers, hold back until next expected',
  params: ReliableParamsSchema,
  commands: BroadcastCommandSchema,
  init: (ctx, params) => ({
    rb: reliableLayer(params),
    sent: 0,
    next: new Array<number>(ctx.nodeCount).fill(1),
    held: new Map(),
  }),
  onCommand(s, cmd, ctx) {
    s.sent += 1
    rbBroadcast(
      s.rb,
      { kind: 'data', origin: ctx.self, seq: s.sent, value: cmd.value ?? null },
      ctx,
    )
    s.next[ctx.self] = s.sent + 1
    noteDeliver(ctx, ctx.self, s.sent)
  },
  onMessage(s, from, m, ctx) {
    const d = rbReceive(s.rb, from, m, ctx)
    if (d === undefined) return
    if (d.seq !== s.next[d.origin]) {
      s.held.set(messageId(d.origin, d.seq), d)
      return noteHold(ctx, d.origin, d.seq)
    }
    for (let seq = d.seq; ; seq++) {
      s.next[d.origin] = seq + 1
      noteDeliver(ctx, d.origin, seq)
      if (!s.held.delete(messageId(d.origin, seq + 1))) return
    }
  },
  onTimer(s, name, ctx) {
    rbOnTimer(s.rb, name, ctx)
  },
  randomCommand: randomBroadcast,
})

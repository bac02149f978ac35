// Best-effort broadcast. Rules (course notes): to broadcast m, send m to every
// process and deliver it yourself; on receiving m, deliver it.
// Assumptions: reliable links (no loss, no duplication; any order), a correct
// sender. Guarantees: integrity (no duplicates, no creation) and validity only
// while the sender stays correct: if the sender crashes, or a copy is lost, some
// processes deliver m and others never do. Nothing is resent and nothing ordered.
import type { JsonValue } from '../../core/json'
import { defineAlgorithm, type NodeId } from '../../core/process'
import { noteBcast, noteDeliver } from './notes'
import { BroadcastCommandSchema, randomBroadcast, type BroadcastCommand } from './workload'

type Message = { origin: NodeId; seq: number; value: JsonValue }

export const bestEffortBroadcast = defineAlgorithm<{ sent: number }, Message, BroadcastCommand>({
  name: 'best-effort-broadcast',
  family: 'broadcast',
  summary: 'Best-effort broadcast: send to all, deliver on receipt; no resending, no order',
  commands: BroadcastCommandSchema,
  init: () => ({ sent: 0 }),
  onCommand(s, cmd, ctx) {
    s.sent += 1
    noteBcast(ctx, ctx.self, s.sent)
    ctx.broadcast({ origin: ctx.self, seq: s.sent, value: cmd.value ?? null })
    noteDeliver(ctx, ctx.self, s.sent)
  },
  onMessage(_s, _from, m, ctx) {
    noteDeliver(ctx, m.origin, m.seq)
  },
  randomCommand: randomBroadcast,
})

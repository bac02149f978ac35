// Causal broadcast with vector clocks. Rules (course notes): process i keeps a
// vector V, where V[k] counts the messages from k it has delivered. To broadcast
// m, i increments V[i], stamps m with VC_m = V and delivers m. A message m from
// j is delivered when VC_m[j] = V[j] + 1 (it is the next from j) and
// VC_m[k] <= V[k] for every k != j (i has delivered everything m's sender had
// delivered when it broadcast m); then V[j] += 1. Until then m waits in the
// hold-back queue, which is scanned again after every delivery.
// Assumptions: fair-loss links (loss, duplication, any order), under the
// reliable broadcast layer; crash-stop processes.
// Guarantees: integrity, agreement, causal order (if the broadcast of m1
// happened before the broadcast of m2, every process delivers m1 before m2) and
// therefore FIFO order.
import { defineAlgorithm } from '../../core/process'
import { noteDeliver, noteHold } from './notes'
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

type Data = RbData & { vc: readonly number[] }

type State = { rb: ReliableLayer<Data>; v: number[]; held: Data[] }

function deliverable(d: Data, v: readonly number[]): boolean {
  return d.vc.every((c, k) => (k === d.origin ? c === v[k] + 1 : c <= v[k]))
}

export const causalBroadcast = defineAlgorithm<
  State,
  Data | RbAck,
  BroadcastCommand,
  ReliableParams
>({
  name: 'causal-broadcast',
  family: 'broadcast',
  summary:
    'Causal broadcast: vector-clock stamps, hold back until all causal predecessors delivered',
  params: ReliableParamsSchema,
  commands: BroadcastCommandSchema,
  init: (ctx, params) => ({
    rb: reliableLayer(params),
    v: new Array<number>(ctx.nodeCount).fill(0),
    held: [],
  }),
  onCommand(s, cmd, ctx) {
    const seq = (s.v[ctx.self] += 1)
    const d: Data = { kind: 'data', origin: ctx.self, seq, value: cmd.value ?? null, vc: [...s.v] }
    rbBroadcast(s.rb, d, ctx)
    noteDeliver(ctx, ctx.self, seq)
  },
  onMessage(s, from, m, ctx) {
    const d = rbReceive(s.rb, from, m, ctx)
    if (d === undefined) return
    if (!deliverable(d, s.v)) {
      s.held.push(d)
      return noteHold(ctx, d.origin, d.seq)
    }
    for (let next: Data | undefined = d; next !== undefined;) {
      s.v[next.origin] += 1
      noteDeliver(ctx, next.origin, next.seq)
      const k = s.held.findIndex((h) => deliverable(h, s.v))
      next = k < 0 ? undefined : s.held.splice(k, 1)[0]
    }
  },
  onTimer(s, name, ctx) {
    rbOnTimer(s.rb, name, ctx)
  },
  randomCommand: randomBroadcast,
})

// Vector clocks. Rules (course notes): before each event process i increments
// V[i]; a message carries the sender's vector; on receipt the receiver takes the
// component-wise maximum with the received vector and then increments V[i].
// V(e) < V(f) exactly when e happened before f.
import { defineAlgorithm } from '../../core/process'
import { EventCommandSchema, randomEvent, type EventCommand } from './workload'

export const vector = defineAlgorithm<{ v: number[] }, { v: readonly number[] }, EventCommand>({
  name: 'vector',
  family: 'clocks',
  summary:
    'Vector clocks: tick own entry before each event, carry the vector, max-merge then tick on receive',
  commands: EventCommandSchema,
  init: (ctx) => ({ v: new Array<number>(ctx.nodeCount).fill(0) }),
  onCommand(s, cmd, ctx) {
    s.v[ctx.self] += 1
    if (cmd.kind === 'send') ctx.send(cmd.to, { v: [...s.v] })
    ctx.annotate('vector', [...s.v])
  },
  onMessage(s, _from, m, ctx) {
    for (let k = 0; k < s.v.length; k++) s.v[k] = Math.max(s.v[k], m.v[k])
    s.v[ctx.self] += 1
    ctx.annotate('vector', [...s.v])
  },
  randomCommand: randomEvent,
})

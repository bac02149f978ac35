// Lamport's logical clock. Rules (course notes): before each event a process
// increments its counter; a message carries the sender's counter; on receipt the
// receiver sets its counter to max(own, received) and then increments it.
// Ordering events by (counter, process id) gives a total order consistent with
// happens-before.
import { defineAlgorithm, type NodeId } from '../../core/process'
import { EventCommandSchema, randomEvent, type EventCommand } from './workload'

export interface LamportStamp {
  c: number
  node: NodeId
}

/** Total order on Lamport stamps: by counter, ties broken by process id. */
export function compareLamport(a: LamportStamp, b: LamportStamp): number {
  return a.c - b.c || a.node - b.node
}

export const lamport = defineAlgorithm<{ c: number }, { ts: number }, EventCommand>({
  name: 'lamport',
  family: 'clocks',
  summary:
    "Lamport's logical clock: tick before each event, stamp on send, max-merge then tick on receive",
  commands: EventCommandSchema,
  init: () => ({ c: 0 }),
  onCommand(s, cmd, ctx) {
    s.c += 1
    if (cmd.kind === 'send') ctx.send(cmd.to, { ts: s.c })
    ctx.annotate('lamport', s.c)
  },
  onMessage(s, _from, m, ctx) {
    s.c = Math.max(s.c, m.ts) + 1
    ctx.annotate('lamport', s.c)
  },
  randomCommand: randomEvent,
})

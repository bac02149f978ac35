// Ricart and Agrawala's mutual exclusion. Rules (course notes): every process
// keeps a Lamport clock. To enter, a process stamps a REQUEST with its clock and
// sends it to all others, then waits for a REPLY from each of the N-1. A process
// receiving a request replies at once, unless it is inside the critical section,
// or it wants to enter and its own request (timestamp, id) is smaller than the
// incoming one: then it defers the reply. On leaving, it sends every deferred
// reply. 2(N-1) messages per entry; requests are served in timestamp order.
// Assumes reliable links without duplicates (a duplicate reply would count
// twice); FIFO is not needed. No crash tolerance: a crashed peer never replies.
import { z } from 'zod'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import { compareLamport } from '../clocks/lamport'
import { CS_ENTER, CS_EXIT, CS_IGNORED, CS_REQUEST } from './notes'
import {
  EXIT_TIMER,
  MutexCommandSchema,
  holdMs,
  randomRequest,
  type MutexCommand,
} from './workload'

export const RicartAgrawalaParamsSchema = z.object({ holdMs }).strict()

export type RicartAgrawalaParams = z.infer<typeof RicartAgrawalaParamsSchema>

export type RicartAgrawalaMsg = { type: 'request'; ts: number } | { type: 'reply'; ts: number }

export interface RicartAgrawalaState {
  params: RicartAgrawalaParams
  /** Lamport clock. */
  clock: number
  phase: 'idle' | 'waiting' | 'inside'
  /** Timestamp of this process's outstanding request. */
  ts: number
  replies: number
  deferred: NodeId[]
}

type Ctx = Context<RicartAgrawalaMsg>

function enter(s: RicartAgrawalaState, ctx: Ctx): void {
  s.phase = 'inside'
  ctx.annotate(CS_ENTER, { ts: s.ts })
  ctx.setTimer(EXIT_TIMER, s.params.holdMs)
}

export const ricartAgrawala = defineAlgorithm<
  RicartAgrawalaState,
  RicartAgrawalaMsg,
  MutexCommand,
  RicartAgrawalaParams
>({
  name: 'ricart-agrawala',
  family: 'mutex',
  summary:
    'Ricart-Agrawala: timestamped request to all, enter after N-1 replies, defer replies to later requests',
  params: RicartAgrawalaParamsSchema,
  commands: MutexCommandSchema,
  init: (_ctx, params) => ({ params, clock: 0, phase: 'idle', ts: 0, replies: 0, deferred: [] }),
  onCommand(s, _cmd, ctx) {
    if (s.phase !== 'idle') return ctx.annotate(CS_IGNORED, { reason: s.phase })
    s.clock += 1
    s.ts = s.clock
    s.replies = 0
    s.phase = 'waiting'
    ctx.annotate(CS_REQUEST, { ts: s.ts })
    if (ctx.peers.length === 0) return enter(s, ctx)
    ctx.broadcast({ type: 'request', ts: s.ts })
  },
  onMessage(s, from, m, ctx) {
    s.clock = Math.max(s.clock, m.ts) + 1
    if (m.type === 'reply') {
      s.replies += 1
      if (s.phase === 'waiting' && s.replies === ctx.peers.length) enter(s, ctx)
      return
    }
    const mineFirst =
      s.phase === 'waiting' &&
      compareLamport({ c: s.ts, node: ctx.self }, { c: m.ts, node: from }) < 0
    if (s.phase === 'inside' || mineFirst) s.deferred.push(from)
    else ctx.send(from, { type: 'reply', ts: s.clock })
  },
  onTimer(s, name, ctx) {
    if (name !== EXIT_TIMER || s.phase !== 'inside') return
    s.phase = 'idle'
    ctx.annotate(CS_EXIT)
    for (const p of s.deferred) ctx.send(p, { type: 'reply', ts: s.clock })
    s.deferred = []
  },
  randomCommand: randomRequest,
})

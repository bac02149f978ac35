// Centralized mutual exclusion. Rules (course notes): one process is the
// coordinator. To enter the critical section a process sends REQUEST to the
// coordinator; if no process is inside, the coordinator replies GRANT at once,
// otherwise it queues the request (FIFO) and sends nothing. On leaving, the
// process sends RELEASE; the coordinator then grants the process at the head of
// the queue. Three messages per entry (request, grant, release); the
// coordinator's own entries go through the same queue locally, with no message.
// Assumes reliable links without duplicates (FIFO not needed) and no crashes: a
// crashed coordinator stalls everyone, and its volatile queue is lost.
import { z } from 'zod'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import { CS_ENTER, CS_EXIT, CS_IGNORED, CS_REQUEST } from './notes'
import {
  EXIT_TIMER,
  MutexCommandSchema,
  holdMs,
  randomRequest,
  type MutexCommand,
} from './workload'

export const CentralParamsSchema = z
  .object({ holdMs, coordinator: z.number().int().nonnegative().default(0) })
  .strict()

export type CentralParams = z.infer<typeof CentralParamsSchema>

export type CentralMsg = { type: 'request' } | { type: 'grant' } | { type: 'release' }

export interface CentralState {
  params: CentralParams
  phase: 'idle' | 'waiting' | 'inside'
  /** Coordinator only: the process granted the critical section, if any. */
  holder: NodeId | null
  /** Coordinator only: waiting requests, oldest first. */
  queue: NodeId[]
}

type Ctx = Context<CentralMsg>

function enter(s: CentralState, ctx: Ctx): void {
  s.phase = 'inside'
  ctx.annotate(CS_ENTER)
  ctx.setTimer(EXIT_TIMER, s.params.holdMs)
}

/** Coordinator: give the critical section to `to` (itself locally, anyone else by GRANT). */
function grant(s: CentralState, to: NodeId, ctx: Ctx): void {
  s.holder = to
  if (to === ctx.self) enter(s, ctx)
  else ctx.send(to, { type: 'grant' })
}

/** Coordinator: a request from `from` (possibly itself). */
function onRequest(s: CentralState, from: NodeId, ctx: Ctx): void {
  if (s.holder === null) grant(s, from, ctx)
  else s.queue.push(from)
}

/** Coordinator: the holder left; grant the head of the queue. */
function onRelease(s: CentralState, ctx: Ctx): void {
  s.holder = null
  const next = s.queue.shift()
  if (next !== undefined) grant(s, next, ctx)
}

export const mutexCentral = defineAlgorithm<CentralState, CentralMsg, MutexCommand, CentralParams>({
  name: 'mutex-central',
  family: 'mutex',
  summary: 'Central coordinator: request, grant, release with a FIFO queue (3 messages per entry)',
  params: CentralParamsSchema,
  commands: MutexCommandSchema,
  init: (ctx, params) => {
    if (params.coordinator >= ctx.nodeCount)
      throw new RangeError(
        `mutex-central: coordinator ${params.coordinator} is not a node (0..${ctx.nodeCount - 1})`,
      )
    return { params, phase: 'idle', holder: null, queue: [] }
  },
  onCommand(s, _cmd, ctx) {
    if (s.phase !== 'idle') return ctx.annotate(CS_IGNORED, { reason: s.phase })
    ctx.annotate(CS_REQUEST)
    s.phase = 'waiting'
    if (ctx.self === s.params.coordinator) onRequest(s, ctx.self, ctx)
    else ctx.send(s.params.coordinator, { type: 'request' })
  },
  onMessage(s, from, m, ctx) {
    switch (m.type) {
      case 'request':
        return onRequest(s, from, ctx)
      case 'release':
        if (from === s.holder) onRelease(s, ctx)
        return
      case 'grant':
        if (s.phase === 'waiting') enter(s, ctx)
        return
    }
  },
  onTimer(s, name, ctx) {
    if (name !== EXIT_TIMER || s.phase !== 'inside') return
    s.phase = 'idle'
    ctx.annotate(CS_EXIT)
    if (ctx.self === s.params.coordinator) onRelease(s, ctx)
    else ctx.send(s.params.coordinator, { type: 'release' })
  },
  randomCommand: randomRequest,
})

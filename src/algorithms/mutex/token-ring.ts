// Token ring mutual exclusion. Rules (course notes): the processes form a
// logical ring 0 -> 1 -> ... -> N-1 -> 0 and one token circulates around it.
// Only the process holding the token may enter the critical section. A process
// that receives the token and wants to enter keeps it for the critical section
// and passes it to its successor when it leaves; otherwise it passes it on.
// A request waits between 0 and N-1 hand-offs. Here an idle holder keeps the
// token for `passDelayMs` before passing it (and enters at once if asked
// meanwhile), so an idle ring does not flood the run. Node 0 starts with it.
// Assumes reliable links without duplicates (one message in flight, so FIFO
// does not matter) and no crashes: a lost token, or a crashed holder, stops all.
import { z } from 'zod'
import { defineAlgorithm, type Context } from '../../core/process'
import { CS_ENTER, CS_EXIT, CS_IGNORED, CS_REQUEST, TOKEN_PASS, TOKEN_RECEIVE } from './notes'
import {
  EXIT_TIMER,
  MutexCommandSchema,
  holdMs,
  randomRequest,
  type MutexCommand,
} from './workload'

export const TokenRingParamsSchema = z
  .object({ holdMs, passDelayMs: z.number().nonnegative().default(5) })
  .strict()

export type TokenRingParams = z.infer<typeof TokenRingParamsSchema>

export type TokenRingMsg = { type: 'token' }

export interface TokenRingState {
  params: TokenRingParams
  hasToken: boolean
  phase: 'idle' | 'waiting' | 'inside'
}

type Ctx = Context<TokenRingMsg>

const PASS_TIMER = 'pass'

function enter(s: TokenRingState, ctx: Ctx): void {
  s.phase = 'inside'
  ctx.cancelTimer(PASS_TIMER)
  ctx.annotate(CS_ENTER)
  ctx.setTimer(EXIT_TIMER, s.params.holdMs)
}

/** Hold the idle token for a while before passing it (a one-node ring just keeps it). */
function holdIdle(s: TokenRingState, ctx: Ctx): void {
  if (ctx.nodeCount > 1) ctx.setTimer(PASS_TIMER, s.params.passDelayMs)
}

function pass(s: TokenRingState, ctx: Ctx): void {
  const to = (ctx.self + 1) % ctx.nodeCount
  s.hasToken = false
  ctx.annotate(TOKEN_PASS, { to })
  ctx.send(to, { type: 'token' })
}

export const tokenRing = defineAlgorithm<
  TokenRingState,
  TokenRingMsg,
  MutexCommand,
  TokenRingParams
>({
  name: 'token-ring',
  family: 'mutex',
  summary: 'Token ring: a token circulates 0 -> 1 -> ... -> N-1 -> 0; only its holder enters',
  params: TokenRingParamsSchema,
  commands: MutexCommandSchema,
  init: (ctx, params) => ({ params, hasToken: ctx.self === 0, phase: 'idle' }),
  onStart(s, ctx) {
    if (s.hasToken) holdIdle(s, ctx)
  },
  onCommand(s, _cmd, ctx) {
    if (s.phase !== 'idle') return ctx.annotate(CS_IGNORED, { reason: s.phase })
    ctx.annotate(CS_REQUEST)
    s.phase = 'waiting'
    if (s.hasToken) enter(s, ctx)
  },
  onMessage(s, _from, _m, ctx) {
    s.hasToken = true
    ctx.annotate(TOKEN_RECEIVE)
    if (s.phase === 'waiting') enter(s, ctx)
    else holdIdle(s, ctx)
  },
  onTimer(s, name, ctx) {
    if (name === PASS_TIMER && s.hasToken && s.phase === 'idle') return pass(s, ctx)
    if (name !== EXIT_TIMER || s.phase !== 'inside') return
    s.phase = 'idle'
    ctx.annotate(CS_EXIT)
    if (ctx.nodeCount > 1) pass(s, ctx)
  },
  randomCommand: randomRequest,
})

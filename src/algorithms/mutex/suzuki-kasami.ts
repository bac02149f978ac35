// Suzuki and Kasami's token-based broadcast algorithm. Rules (course notes):
// each process i keeps RN[1..N], the highest request number heard from each
// process. The single token carries LN[1..N], the number of each process's last
// served request, and a FIFO queue Q of waiting processes.
// - To enter without the token, i increments RN[i] and broadcasts REQUEST(i, sn).
//   With the token (and outside the critical section) it enters at once.
// - On REQUEST(j, n): RN[j] = max(RN[j], n); if i holds the idle token and
//   RN[j] = LN[j] + 1, it sends the token to j.
// - On leaving: LN[i] = RN[i]; every j not in Q with RN[j] = LN[j] + 1 is
//   appended to Q; if Q is not empty the token goes to its head.
// N messages per entry (N-1 requests and the token), 0 when the token is here.
// Assumes reliable links without duplicates (a duplicated token would be two);
// FIFO is not needed. No crash tolerance: the token dies with its holder.
// Node 0 starts with the token.
import { z } from 'zod'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import { CS_ENTER, CS_EXIT, CS_IGNORED, CS_REQUEST, TOKEN_PASS, TOKEN_RECEIVE } from './notes'
import {
  EXIT_TIMER,
  MutexCommandSchema,
  holdMs,
  randomRequest,
  type MutexCommand,
} from './workload'

export const SuzukiKasamiParamsSchema = z.object({ holdMs }).strict()

export type SuzukiKasamiParams = z.infer<typeof SuzukiKasamiParamsSchema>

export interface Token {
  /** LN[j]: the request number of j's last served request. */
  ln: number[]
  /** Q: processes waiting for the token, in order. */
  q: NodeId[]
}

export type SuzukiKasamiMsg =
  { type: 'request'; sn: number } | { type: 'token'; ln: readonly number[]; q: readonly NodeId[] }

export interface SuzukiKasamiState {
  params: SuzukiKasamiParams
  /** RN[j]: the highest request number received from j. */
  rn: number[]
  token: Token | null
  phase: 'idle' | 'waiting' | 'inside'
}

type Ctx = Context<SuzukiKasamiMsg>

function enter(s: SuzukiKasamiState, ctx: Ctx): void {
  s.phase = 'inside'
  ctx.annotate(CS_ENTER, { sn: s.rn[ctx.self] })
  ctx.setTimer(EXIT_TIMER, s.params.holdMs)
}

function sendToken(s: SuzukiKasamiState, to: NodeId, ctx: Ctx): void {
  const t = s.token as Token
  s.token = null
  ctx.annotate(TOKEN_PASS, { to })
  ctx.send(to, { type: 'token', ln: [...t.ln], q: [...t.q] })
}

export const suzukiKasami = defineAlgorithm<
  SuzukiKasamiState,
  SuzukiKasamiMsg,
  MutexCommand,
  SuzukiKasamiParams
>({
  name: 'suzuki-kasami',
  family: 'mutex',
  summary:
    'Suzuki-Kasami: broadcast numbered requests; the token (LN, Q) goes to the next outstanding request',
  params: SuzukiKasamiParamsSchema,
  commands: MutexCommandSchema,
  init: (ctx, params) => ({
    params,
    rn: new Array<number>(ctx.nodeCount).fill(0),
    token: ctx.self === 0 ? { ln: new Array<number>(ctx.nodeCount).fill(0), q: [] } : null,
    phase: 'idle',
  }),
  onCommand(s, _cmd, ctx) {
    if (s.phase !== 'idle') return ctx.annotate(CS_IGNORED, { reason: s.phase })
    s.phase = 'waiting'
    if (s.token !== null) {
      ctx.annotate(CS_REQUEST, { sn: s.rn[ctx.self] })
      return enter(s, ctx)
    }
    s.rn[ctx.self] += 1
    ctx.annotate(CS_REQUEST, { sn: s.rn[ctx.self] })
    ctx.broadcast({ type: 'request', sn: s.rn[ctx.self] })
  },
  onMessage(s, from, m, ctx) {
    if (m.type === 'token') {
      s.token = { ln: [...m.ln], q: [...m.q] }
      ctx.annotate(TOKEN_RECEIVE)
      if (s.phase === 'waiting') enter(s, ctx)
      return
    }
    s.rn[from] = Math.max(s.rn[from], m.sn)
    if (s.token !== null && s.phase === 'idle' && s.rn[from] === s.token.ln[from] + 1)
      sendToken(s, from, ctx)
  },
  onTimer(s, name, ctx) {
    if (name !== EXIT_TIMER || s.phase !== 'inside') return
    s.phase = 'idle'
    ctx.annotate(CS_EXIT)
    const t = s.token as Token
    t.ln[ctx.self] = s.rn[ctx.self]
    for (let j = 0; j < ctx.nodeCount; j++)
      if (!t.q.includes(j) && s.rn[j] === t.ln[j] + 1) t.q.push(j)
    const next = t.q.shift()
    if (next !== undefined) sendToken(s, next, ctx)
  },
  randomCommand: randomRequest,
})

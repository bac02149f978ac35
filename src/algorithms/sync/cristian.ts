// Cristian's algorithm. Rules (course notes): every period a client asks the time
// server for the time, noting its own send time T0; the server answers with its
// time T; at the reply's arrival T1 the client estimates the server's time as
// T + RTT/2 (RTT = T1 − T0), which is off by at most RTT/2 − min, min being a
// known lower bound on a one-way delay. A reply whose RTT exceeds a bound may
// be rejected, since its error bound is too wide. The client corrects its clock
// by the difference, stepping or slewing as the discipline says. The server
// answers with its reference if it has one, else with its own clock.
import { z } from 'zod'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import {
  correct,
  policyFor,
  slewDurationMs,
  type DisciplinePolicy,
} from '../../time/discipline/policy'
import { annotateSample, STAMP_TIMER, startStamps, syncFields, takeStamp } from './notes'

export const CristianParamsSchema = z
  .object({
    /** The time server. */
    server: z.number().int().nonnegative().default(0),
    /** How often each client asks, ms of its local time. */
    periodMs: z.number().positive().default(10_000),
    /** Replies whose round trip took longer than this are rejected, ms (none when absent). */
    rttMaxMs: z.number().positive().optional(),
    /** A known lower bound on each one-way delay, ms: it tightens the bound to RTT/2 − min. */
    minDelayMs: z.number().nonnegative().default(0),
    ...syncFields,
  })
  .strict()
export type CristianParams = z.infer<typeof CristianParamsSchema>

export type CristianMsg =
  | { type: 'cristian.request'; id: number }
  /** The server's time and the bound on its own error (0 without a reference: it is the time). */
  | { type: 'cristian.reply'; id: number; time: number; error: number }

export interface CristianState {
  params: CristianParams
  policy: DisciplinePolicy
  /** The request awaiting its reply, and its local send time T0. */
  pending: { id: number; sentAt: number } | null
  nextId: number
  /** Local time at which the last slew is absorbed: until then the clock runs off its rate. */
  slewEnds: number
}

type Ctx = Context<CristianMsg>

/** On the receive of a reply rejected for its round trip. */
export const CRISTIAN_REJECT = 'cristian.reject'

const POLL = 'poll'

function request(s: CristianState, ctx: Ctx): void {
  const id = s.nextId++
  s.pending = { id, sentAt: ctx.now() }
  ctx.send(s.params.server, { type: 'cristian.request', id })
  ctx.setTimer(POLL, s.params.periodMs)
}

function onReply(
  s: CristianState,
  from: NodeId,
  m: { id: number; time: number; error: number },
  ctx: Ctx,
): void {
  if (s.pending === null || m.id !== s.pending.id) return
  const t1 = ctx.now()
  const rtt = t1 - s.pending.sentAt
  const { rttMaxMs, minDelayMs, skewBoundPpm } = s.params
  if (rttMaxMs !== undefined && rtt > rttMaxMs) {
    s.pending = null
    return ctx.annotate(CRISTIAN_REJECT, { rtt, rttMax: rttMaxMs })
  }
  // The server read its clock somewhere in [T0 + min, T1 − min] of the client's time: taking
  // the middle errs by at most RTT/2 − min, plus half the round trip times the client's rate
  // error (its skew, and the slew rate while a slew runs) and the server's own error.
  const estimate = m.time + rtt / 2
  const delta = estimate - t1
  const rateError = skewBoundPpm + (s.slewEnds > s.pending.sentAt ? s.policy.maxSlewPpm : 0)
  const error = Math.max(0, rtt / 2 - minDelayMs) + m.error + rateError * 1e-6 * (rtt / 2)
  s.pending = null
  annotateSample(ctx, { offset: -delta, error, source: from })
  if (correct(ctx.clock, s.policy, delta) === 'slew')
    s.slewEnds = t1 + slewDurationMs(delta, s.policy.maxSlewPpm)
}

export const cristian = defineAlgorithm<CristianState, CristianMsg, never, CristianParams>({
  name: 'cristian',
  family: 'sync',
  summary: 'Cristian: ask a time server, set the clock to T + RTT/2 (error ≤ RTT/2 − min)',
  params: CristianParamsSchema,
  minNodes: (p) => Math.max(2, p.server + 1),
  defaultUntil: 60_000,
  init: (ctx, params) => ({
    params,
    policy: policyFor(params.discipline, ctx.self),
    pending: null,
    nextId: 0,
    slewEnds: -Infinity,
  }),
  onStart(s, ctx) {
    startStamps(ctx, s.params.stampMs)
    if (ctx.self !== s.params.server) request(s, ctx)
  },
  onTimer(s, name, ctx) {
    if (name === POLL) request(s, ctx)
    else if (name === STAMP_TIMER) takeStamp(ctx, s.params.stampMs!)
  },
  onMessage(s, from, m, ctx) {
    if (m.type === 'cristian.request') {
      const ref = ctx.clock.reference()
      ctx.send(from, {
        type: 'cristian.reply',
        id: m.id,
        time: ref?.time ?? ctx.now(),
        error: ref?.error ?? 0,
      })
    } else onReply(s, from, m, ctx)
  },
})

// The Berkeley algorithm (Gusella and Zatti). Rules (course notes): a master polls
// every node for its time, noting its own send time; each reply's reading is
// moved forward by half its round trip, giving the node's difference from the
// master (off by at most RTT/2). The master averages the differences of the
// largest group of clocks that agree within a tolerance (its own, 0, included),
// so a clock far off cannot drag the average: a fault-tolerant average. It then
// sends each node the adjustment that brings it to the average, rather than a
// time, so the message's own delay does not matter; outliers get theirs too.
// Each node steps or slews by its adjustment as the discipline says. There is no
// reference: the nodes agree with each other, not with true time.
// The master is elected: the lowest id starts as master; a node that hears no
// poll for masterTimeoutMs (plus its id times replyTimeoutMs, so lower ids act
// first) takes over, and a master that hears a lower id's poll steps down.
import { z } from 'zod'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import { correct, policyFor, type DisciplinePolicy } from '../../time/discipline/policy'
import { annotateSample, STAMP_TIMER, startStamps, syncFields, takeStamp } from './notes'

export const BerkeleyParamsSchema = z
  .object({
    /** How often the master polls, ms of its local time. */
    periodMs: z.number().positive().default(10_000),
    /** How long the master waits for readings before averaging, ms. */
    replyTimeoutMs: z.number().positive().default(500),
    /** Readings whose round trip took longer than this are left out, ms (none when absent). */
    rttMaxMs: z.number().positive().optional(),
    /** Clocks within this of each other form the group that is averaged, ms. */
    toleranceMs: z.number().positive().default(20),
    /** Silence from any master after which a node takes over, ms (default: 3 periods). */
    masterTimeoutMs: z.number().positive().optional(),
    ...syncFields,
  })
  .strict()
export type BerkeleyParams = z.infer<typeof BerkeleyParamsSchema>

export type BerkeleyMsg =
  | { type: 'berkeley.poll'; round: number }
  | { type: 'berkeley.time'; round: number; time: number }
  /** Add `delta` to your clock; `error` bounds how far that leaves you from the average. */
  | { type: 'berkeley.adjust'; round: number; delta: number; error: number }

interface Reading {
  node: NodeId
  /** The node's clock minus the master's, ms. */
  diff: number
  rtt: number
}

export interface BerkeleyState {
  params: BerkeleyParams
  policy: DisciplinePolicy
  master: boolean
  round: number
  /** Master: local send time of this round's poll, and the readings so far. */
  sentAt: number
  readings: Reading[]
}

type Ctx = Context<BerkeleyMsg>

/** On the event where a node becomes master, or stops being one. */
export const BERKELEY_MASTER = 'berkeley.master'
/** On the master's averaging: the average difference, who was averaged and who was not. */
export const BERKELEY_AVERAGE = 'berkeley.average'
/** On the receive of a reading left out for its round trip. */
export const BERKELEY_REJECT = 'berkeley.reject'

const ROUND = 'round'
const COLLECT = 'collect'
const WATCH = 'master-watch'

/**
 * The fault-tolerant average: the largest group of readings within `tolerance` of each
 * other (the earliest such group on a tie), as indices into `diffs` sorted ascending.
 */
export function largestAgreeingGroup(diffs: readonly number[], tolerance: number): number[] {
  const order = diffs.map((_, k) => k).sort((a, b) => diffs[a] - diffs[b])
  let best: [number, number] = [0, 1]
  for (let lo = 0, hi = 0; lo < order.length; lo++) {
    while (hi < order.length && diffs[order[hi]] - diffs[order[lo]] <= tolerance) hi++
    if (hi - lo > best[1] - best[0]) best = [lo, hi]
  }
  return order.slice(best[0], best[1])
}

function watchTimeout(s: BerkeleyState, ctx: Ctx): number {
  const base = s.params.masterTimeoutMs ?? 3 * s.params.periodMs
  return base + ctx.self * s.params.replyTimeoutMs
}

function becomeMaster(s: BerkeleyState, ctx: Ctx): void {
  s.master = true
  ctx.cancelTimer(WATCH)
  ctx.annotate(BERKELEY_MASTER, { master: true })
  poll(s, ctx)
}

function poll(s: BerkeleyState, ctx: Ctx): void {
  s.round++
  s.sentAt = ctx.now()
  s.readings = []
  ctx.broadcast({ type: 'berkeley.poll', round: s.round })
  ctx.setTimer(COLLECT, s.params.replyTimeoutMs)
  ctx.setTimer(ROUND, s.params.periodMs)
}

function onReading(s: BerkeleyState, from: NodeId, round: number, time: number, ctx: Ctx): void {
  if (!s.master || round !== s.round) return
  const now = ctx.now()
  const rtt = now - s.sentAt
  if (s.params.rttMaxMs !== undefined && rtt > s.params.rttMaxMs)
    return ctx.annotate(BERKELEY_REJECT, { from, rtt, rttMax: s.params.rttMaxMs })
  // The node read its clock somewhere in the round trip: assume the middle (error ≤ RTT/2).
  s.readings.push({ node: from, diff: time + rtt / 2 - now, rtt })
}

function average(s: BerkeleyState, ctx: Ctx): void {
  const all: Reading[] = [{ node: ctx.self, diff: 0, rtt: 0 }, ...s.readings]
  const group = largestAgreeingGroup(
    all.map((r) => r.diff),
    s.params.toleranceMs,
  ).map((k) => all[k])
  const avg = group.reduce((sum, r) => sum + r.diff, 0) / group.length
  // Each difference errs by at most its RTT/2 (plus drift over it), so the average errs by
  // at most the mean of those, and a node's adjustment by its own bound plus the average's.
  const drift = s.params.skewBoundPpm * 1e-6
  const bound = (r: Reading) => r.rtt / 2 + drift * r.rtt
  const avgError = group.reduce((sum, r) => sum + bound(r), 0) / group.length
  const members = new Set(group.map((r) => r.node))
  ctx.annotate(BERKELEY_AVERAGE, {
    round: s.round,
    average: avg,
    members: [...members].sort((a, b) => a - b),
    outliers: all.filter((r) => !members.has(r.node)).map((r) => r.node),
  })
  for (const r of s.readings)
    ctx.send(r.node, {
      type: 'berkeley.adjust',
      round: s.round,
      delta: avg - r.diff,
      error: bound(r) + avgError,
    })
  adjust(s, avg, avgError, ctx)
}

function adjust(s: BerkeleyState, delta: number, error: number, ctx: Ctx): void {
  annotateSample(ctx, { offset: -delta, error, source: 'average' })
  correct(ctx.clock, s.policy, delta)
}

export const berkeley = defineAlgorithm<BerkeleyState, BerkeleyMsg, never, BerkeleyParams>({
  name: 'berkeley',
  family: 'sync',
  summary: 'Berkeley: an elected master polls, averages the agreeing clocks, sends adjustments',
  params: BerkeleyParamsSchema,
  minNodes: () => 2,
  defaultUntil: 60_000,
  init: (ctx, params) => ({
    params,
    policy: policyFor(params.discipline, ctx.self),
    master: false,
    round: 0,
    sentAt: 0,
    readings: [],
  }),
  onStart(s, ctx) {
    startStamps(ctx, s.params.stampMs)
    if (ctx.peers.every((p) => p > ctx.self)) becomeMaster(s, ctx)
    else ctx.setTimer(WATCH, watchTimeout(s, ctx))
  },
  onTimer(s, name, ctx) {
    if (name === ROUND && s.master) poll(s, ctx)
    else if (name === COLLECT && s.master) average(s, ctx)
    else if (name === WATCH && !s.master) becomeMaster(s, ctx)
    else if (name === STAMP_TIMER) takeStamp(ctx, s.params.stampMs!)
  },
  onMessage(s, from, m, ctx) {
    switch (m.type) {
      case 'berkeley.poll':
        if (s.master && from > ctx.self) return
        if (s.master) {
          s.master = false
          ctx.cancelTimer(ROUND)
          ctx.cancelTimer(COLLECT)
          ctx.annotate(BERKELEY_MASTER, { master: false, yieldsTo: from })
        }
        ctx.setTimer(WATCH, watchTimeout(s, ctx))
        return ctx.send(from, { type: 'berkeley.time', round: m.round, time: ctx.now() })
      case 'berkeley.time':
        return onReading(s, from, m.round, m.time, ctx)
      case 'berkeley.adjust':
        if (!s.master) adjust(s, m.delta, m.error, ctx)
    }
  },
})

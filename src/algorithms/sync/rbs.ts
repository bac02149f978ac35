// Reference broadcast synchronization (Elson, Girod and Estrin). Rules (course
// notes): a sender broadcasts reference beacons that carry no time at all; each
// receiver notes, on its own clock, when each beacon arrived and tells the other
// receivers. Two receivers that heard the same beacon compare their arrival
// times: the difference is their relative offset, up to the difference of their
// receive delays. Over a window of beacons a least-squares line through the
// pairs (my arrival, your arrival) gives the relative offset now and the
// relative skew (its slope). The sender's own delays (when it stamps, when the
// beacon leaves) are common to every receiver and drop out: RBS's error does not
// depend on them. No node holds true time and no clock is changed: receivers
// only estimate, and annotate each estimate as a clock sample relative to a peer.
// `sendJitterMs` delays each beacon by a random time, to show that independence.
import { z } from 'zod'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import { fitLine } from './fit'
import { annotateSample, STAMP_TIMER, startStamps, syncFields, takeStamp } from './notes'

export const RbsParamsSchema = z
  .object({
    /** The node that broadcasts the beacons. */
    sender: z.number().int().nonnegative().default(0),
    /** Time between beacons, ms of the sender's clock. */
    periodMs: z.number().positive().default(1000),
    /** The sender's send-time jitter: each beacon leaves up to this much later, ms (uniform). */
    sendJitterMs: z.number().nonnegative().default(0),
    /** Beacons in the regression window. */
    window: z
      .number()
      .int()
      .min(2, { message: 'must be at least 2 (a line needs two points)' })
      .default(8),
    stampMs: syncFields.stampMs,
  })
  .strict()
export type RbsParams = z.infer<typeof RbsParamsSchema>

export type RbsMsg =
  | { type: 'rbs.beacon'; k: number }
  /** A receiver's arrival time of beacon k, on its own clock. */
  | { type: 'rbs.obs'; k: number; time: number }

export interface RbsState {
  params: RbsParams
  /** Sender: the next beacon's number. */
  next: number
  /** Receivers: my arrival time of each recent beacon. */
  mine: Map<number, number>
  /** Receivers: each peer's reported arrival times not yet paired with mine. */
  theirs: Map<NodeId, Map<number, number>>
  /** Receivers: per peer, the recent pairs (my arrival, its arrival), oldest first. */
  pairs: Map<NodeId, [number, number][]>
}

type Ctx = Context<RbsMsg>

const BEACON = 'beacon'
const SEND = 'send'

function beacon(s: RbsState, ctx: Ctx): void {
  ctx.broadcast({ type: 'rbs.beacon', k: s.next++ })
}

function pair(s: RbsState, peer: NodeId, k: number, ctx: Ctx): void {
  const mine = s.mine.get(k)
  const theirs = s.theirs.get(peer)?.get(k)
  if (mine === undefined || theirs === undefined) return
  s.theirs.get(peer)!.delete(k)
  let pairs = s.pairs.get(peer)
  if (pairs === undefined) s.pairs.set(peer, (pairs = []))
  pairs.push([mine, theirs])
  if (pairs.length > s.params.window) pairs.shift()
  if (pairs.length < 3) return
  // The peer's clock as a line in mine: at my reading x it reads a + b·x. The largest
  // residual in the window is the estimate's error, as far as the window can tell.
  const { a, b, maxResidual } = fitLine(pairs)
  const now = ctx.now()
  annotateSample(ctx, { offset: now - (a + b * now), error: maxResidual, source: 'rbs', peer })
  ctx.annotate('rbs.skew', { peer, ppm: (1 / b - 1) * 1e6 })
}

/** Forgets arrivals too old to ever be paired into the window. */
function forget(s: RbsState, k: number): void {
  const horizon = k - 2 * s.params.window
  for (const old of s.mine.keys()) if (old < horizon) s.mine.delete(old)
  for (const m of s.theirs.values()) for (const old of m.keys()) if (old < horizon) m.delete(old)
}

export const rbs = defineAlgorithm<RbsState, RbsMsg, never, RbsParams>({
  name: 'rbs',
  family: 'sync',
  summary:
    'Reference broadcast: receivers compare arrival times of the same beacon (no sender time)',
  params: RbsParamsSchema,
  minNodes: (p) => Math.max(3, p.sender + 1),
  defaultUntil: 30_000,
  init: (_ctx, params) => ({
    params,
    next: 0,
    mine: new Map(),
    theirs: new Map(),
    pairs: new Map(),
  }),
  onStart(s, ctx) {
    startStamps(ctx, s.params.stampMs)
    if (ctx.self === s.params.sender) ctx.setTimer(BEACON, s.params.periodMs)
  },
  onTimer(s, name, ctx) {
    if (name === BEACON) {
      ctx.setTimer(BEACON, s.params.periodMs)
      const jitter = s.params.sendJitterMs
      if (jitter > 0) ctx.setTimer(SEND, ctx.random() * jitter)
      else beacon(s, ctx)
    } else if (name === SEND) beacon(s, ctx)
    else if (name === STAMP_TIMER) takeStamp(ctx, s.params.stampMs!)
  },
  onMessage(s, from, m, ctx) {
    if (ctx.self === s.params.sender) return
    if (m.type === 'rbs.beacon') {
      const time = ctx.now()
      s.mine.set(m.k, time)
      forget(s, m.k)
      for (const p of ctx.peers)
        if (p !== s.params.sender) ctx.send(p, { type: 'rbs.obs', k: m.k, time })
      for (const peer of s.theirs.keys()) pair(s, peer, m.k, ctx)
    } else {
      let theirs = s.theirs.get(from)
      if (theirs === undefined) s.theirs.set(from, (theirs = new Map()))
      theirs.set(m.k, m.time)
      pair(s, from, m.k, ctx)
    }
  },
})

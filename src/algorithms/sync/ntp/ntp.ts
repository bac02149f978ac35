// NTP (RFC 5905, simplified for the lab). Rules:
// - Hierarchy: stratum-1 nodes read their reference (ctx.clock.reference(); a
//   node without one serves its own clock); a node of stratum s polls the nodes
//   of stratum s − 1 (topology.ts) and becomes stratum (its system peer's) + 1.
// - Exchange: every poll a client sends its transmit time T1; the server answers
//   with T1 (origin), its receive time T2 and transmit time T3; at T4 the client
//   gets θ = ((T2 − T1) + (T3 − T4))/2 and δ = (T4 − T1) − (T3 − T2) (packet.ts).
//   A reply whose origin is not the client's last T1 is bogus and dropped; a
//   server that is not synchronized says stratum 16 and is not used. As ntpd
//   without a drift file, a node is synchronized once its loop is in the sync
//   state (loop.ts: its frequency measured) and its last whole correction has been
//   slewed in: a clock still drifting or slewing tens of ms would teach its
//   clients a frequency that is not theirs. A stratum-1 node without a reference
//   serves its own clock from the start.
// - Each exchange is a clock sample, error bound (rootDelay + δ)/2 + rootDisp +
//   drift: the server's own bound plus the exchange's asymmetry room δ/2.
// - Clock filter (filter.ts): per server, the lowest-delay of the last 8 samples
//   (aged at the skew bound, so an old one gives way to a fresh one).
// - A collectMs after each poll: selection (select.ts: intersection, clustering,
//   combining), then the discipline loop (loop.ts: step or slew the phase, PLL or
//   FLL the frequency, adapt the poll). Survivors with none of the last update's
//   among them set the clock afresh. The frequency is kept in stable storage,
//   as ntpd keeps its drift file.
// - Modes: client-server; symmetric (nodes of a stratum also exchange packets as
//   peers, each packet answering the other's last, and fall back on each other
//   when no server survives); broadcast (servers broadcast T3 every poll; clients
//   first learn the delay with a few client-server exchanges, their mean round trip
//   δ, then take θ = T3 + δ/2 − T4 from each broadcast: no round trip, so any
//   asymmetry or send-time jitter goes straight into θ).
// - sendJitterMs: a server stamps T3, then the packet leaves up to that much later.
import { z } from 'zod'
import { defineAlgorithm, type Context, type NodeId } from '../../../core/process'
import {
  policyFor,
  slewDurationMs,
  slewLeft,
  type DisciplinePolicy,
} from '../../../time/discipline/policy'
import { annotateSample, STAMP_TIMER, startStamps, syncFields, takeStamp } from '../notes'
import { filterAdd, filterShift, newFilter, type FilterOutput, type FilterState } from './filter'
import { LoopParamsSchema, loopUpdate, newLoop, type LoopState } from './loop'
import {
  MAX_STRATUM,
  ntpDelay,
  ntpOffset,
  UNSYNCHRONIZED,
  type NtpMode,
  type NtpPacket,
} from './packet'
import { cluster, combine, truechimers, type Candidate } from './select'
import { minNodes, strata, stratumMembers } from './topology'

export const NtpParamsSchema = z
  .object({
    /** Stratum-1 nodes (0..servers-1); also the size of every stratum but the last. */
    servers: z.number().int().min(1, { message: 'must be at least 1' }).default(3),
    /** Strata in the hierarchy, 1..15 (the last stratum takes the remaining nodes). */
    stratumDepth: z
      .number()
      .int()
      .min(1, { message: 'must be at least 1' })
      .max(MAX_STRATUM, {
        message: `a stratum above ${MAX_STRATUM} does not exist (NTP's stratum 16 means unsynchronized)`,
      })
      .default(2),
    mode: z.enum(['client-server', 'symmetric', 'broadcast']).default('client-server'),
    /** log2 of the shortest and longest poll interval, s (RFC 5905: 4 = 16 s, 17 = 36 h). */
    minPoll: z.number().int().min(0).max(17).default(4),
    maxPoll: z.number().int().min(0).max(17).default(6),
    /** Start with a burst of 8 polls 2 s apart, as ntpd's iburst. */
    iburst: z.boolean().default(true),
    /** How long after a poll the replies are gathered before the clock is updated, ms. */
    collectMs: z.number().positive().default(1000),
    /** Sources whose root distance exceeds this are unfit (RFC 5905's MAXDIST: 1 s), ms. */
    maxDistanceMs: z.number().positive().default(1000),
    /** A server stamps its transmit time, then the packet leaves up to this much later, ms. */
    sendJitterMs: z.number().nonnegative().default(0),
    /** Broadcast mode: client-server exchanges a client makes to learn the delay. */
    calibration: z.number().int().min(1).default(4),
    loop: LoopParamsSchema.default(LoopParamsSchema.parse({})),
    ...syncFields,
  })
  .strict()
  .refine((p) => p.maxPoll >= p.minPoll, {
    message: 'must be at least minPoll',
    path: ['maxPoll'],
  })
export type NtpParams = z.infer<typeof NtpParamsSchema>

export type NtpMsg = NtpPacket

/** What a node knows of one source: a server above it or a symmetric peer beside it. */
interface Association {
  id: NodeId
  kind: 'server' | 'peer'
  filter: FilterState
  /** The filter's latest output, and whether it came after the last clock update. */
  output: FilterOutput | undefined
  fresh: boolean
  /** Reachability: one bit per poll, 1 when a sample came in. */
  reach: number
  /** Our last transmit time to it (T1), null once answered. */
  xmt: number | null
  /** Symmetric: its last transmit time and when it arrived, echoed as org and rec. */
  theirXmt: number | null
  theirRec: number | null
  stratum: number
  rootDelay: number
  rootDisp: number
  /** Broadcast: the mean round trip of the calibration exchanges, and how many so far. */
  calDelay: number
  calCount: number
}

interface SystemVars {
  synced: boolean
  stratum: number
  rootDelay: number
  rootDisp: number
  refid: NodeId | -1
  /** Local time of the last clock update. */
  updatedAt: number
}

export interface NtpState {
  params: NtpParams
  policy: DisciplinePolicy
  /** Configured stratum (topology); the node's actual one is in `sys`. */
  level: number
  /** Whether nodes poll this one (it has a stratum below it). */
  serves: boolean
  assoc: Map<NodeId, Association>
  /** Stratum 1: the reference's samples go through a filter of their own. */
  refFilter: FilterState
  loop: LoopState
  sys: SystemVars
  /** The last clock update's survivors. */
  survivors: NodeId[]
  burstLeft: number
  inBurst: boolean
  /** The last phase correction and when it began (local), to discount what is still slewing. */
  slew: { amount: number; at: number }
  /** Local time when the loop's last whole correction is slewed in. */
  settledAt: number
  txSeq: number
  tx: Map<string, { to: NodeId | 'all'; msg: NtpPacket }>
}

/** Stable storage: the frequency, as ntpd's drift file. */
export interface NtpStable {
  freqPpm: number
}

type Ctx = Context<NtpMsg, NtpStable>

/** On each clock update: the combined offset, survivors, falsetickers, system peer, poll. */
export const NTP_UPDATE = 'ntp.update'
/** On a clock update that found no majority of agreeing sources. */
export const NTP_NO_MAJORITY = 'ntp.no-majority'

const POLL = 'poll'
const COLLECT = 'collect'
const TX = 'ntp.tx.'
const BURST = 8
const BURST_MS = 2000
/** The smallest jitter a loop assumes, ms (a timestamp's resolution). */
const PRECISION = 1e-6

function association(id: NodeId, kind: Association['kind']): Association {
  return {
    id,
    kind,
    filter: newFilter(),
    output: undefined,
    fresh: false,
    reach: 0,
    xmt: null,
    theirXmt: null,
    theirRec: null,
    stratum: UNSYNCHRONIZED,
    rootDelay: 0,
    rootDisp: 0,
    calDelay: 0,
    calCount: 0,
  }
}

function packet(
  s: NtpState,
  mode: NtpMode,
  org: number | null,
  rec: number | null,
  xmt: number,
): NtpPacket {
  const phi = s.params.skewBoundPpm * 1e-6
  return {
    type: 'ntp',
    mode,
    org,
    rec,
    xmt,
    stratum: s.sys.synced && xmt >= s.settledAt ? s.sys.stratum : UNSYNCHRONIZED,
    rootDelay: s.sys.rootDelay,
    // The bound grows at the skew bound since the last update, and the clock is still off
    // by whatever of its last correction has yet to be slewed.
    rootDisp:
      s.sys.rootDisp + phi * Math.max(0, xmt - s.sys.updatedAt) + Math.abs(slewStillToCome(s, xmt)),
    refid: s.sys.refid,
  }
}

/** Sends now, or after the send-time jitter (the packet was stamped now). */
function transmit(s: NtpState, to: NodeId | 'all', msg: NtpPacket, ctx: Ctx): void {
  if (s.params.sendJitterMs === 0) return to === 'all' ? ctx.broadcast(msg) : ctx.send(to, msg)
  const name = TX + s.txSeq++
  s.tx.set(name, { to, msg })
  ctx.setTimer(name, ctx.random() * s.params.sendJitterMs)
}

function pollInterval(s: NtpState): number {
  return s.inBurst ? BURST_MS : 2 ** s.loop.poll * 1000
}

function poll(s: NtpState, ctx: Ctx): void {
  s.inBurst = s.burstLeft > 0
  if (s.inBurst) s.burstLeft--
  const interval = pollInterval(s)
  ctx.setTimer(POLL, interval)
  for (const a of s.assoc.values()) a.reach = (a.reach << 1) & 0xff
  if (s.level === 1) referenceUpdate(s, ctx, interval)
  else {
    const now = ctx.now()
    for (const a of s.assoc.values()) {
      const calibrating = s.params.mode === 'broadcast' && a.calCount < s.params.calibration
      if (a.kind === 'server' && (s.params.mode !== 'broadcast' || calibrating)) {
        a.xmt = now
        ctx.send(a.id, packet(s, 'client', null, null, now))
      } else if (a.kind === 'peer') {
        a.xmt = now
        ctx.send(a.id, packet(s, 'symmetric', a.theirXmt, a.theirRec, now))
      }
    }
    ctx.setTimer(COLLECT, Math.min(s.params.collectMs, interval / 2))
  }
  if (s.params.mode === 'broadcast' && s.serves && s.sys.synced)
    transmit(s, 'all', packet(s, 'broadcast', null, null, ctx.now()), ctx)
}

/** Stratum 1: read the reference, and discipline the clock to it. */
function referenceUpdate(s: NtpState, ctx: Ctx, interval: number): void {
  const ref = ctx.clock.reference()
  const now = ctx.now()
  if (ref === undefined) {
    s.sys.synced = true
    return
  }
  const theta = ref.time - now
  annotateSample(ctx, { offset: -theta, error: ref.error, source: 'reference' })
  const out = filterAdd(
    s.refFilter,
    { offset: theta - slewStillToCome(s, now), delay: 0, disp: ref.error, t: now },
    now,
    s.params.skewBoundPpm,
  )
  if (out === undefined) return
  update(s, out.offset, Math.max(out.jitter, PRECISION), now, interval, ctx)
  Object.assign(s.sys, {
    synced: s.loop.state === 'sync',
    stratum: 1,
    rootDelay: 0,
    rootDisp: ref.error + Math.abs(out.offset),
    refid: -1,
    updatedAt: now,
  })
}

/** What is left of the last phase correction, ms: an offset measured now still includes it. */
function slewStillToCome(s: NtpState, now: number): number {
  return slewLeft(s.slew.amount, now - s.slew.at, s.policy.maxSlewPpm)
}

/** One exchange's result: a clock sample, then into the source's filter. */
function sample(
  s: NtpState,
  a: Association,
  theta: number,
  delay: number,
  p: NtpPacket,
  ctx: Ctx,
): void {
  const now = ctx.now()
  const phi = s.params.skewBoundPpm * 1e-6
  const d = Math.max(0, delay)
  Object.assign(a, { stratum: p.stratum, rootDelay: p.rootDelay, rootDisp: p.rootDisp })
  a.reach |= 1
  const disp = phi * d
  annotateSample(ctx, {
    offset: -theta,
    error: (p.rootDelay + d) / 2 + p.rootDisp + disp,
    source: a.id,
  })
  const out = filterAdd(
    a.filter,
    { offset: theta - slewStillToCome(s, now), delay: d, disp, t: now },
    now,
    s.params.skewBoundPpm,
  )
  if (out !== undefined) {
    a.output = out
    a.fresh = true
  }
}

function onPacket(s: NtpState, from: NodeId, p: NtpPacket, ctx: Ctx): void {
  const now = ctx.now()
  if (p.mode === 'client') {
    const reply = packet(s, 'server', p.xmt, now, now)
    return transmit(s, from, reply, ctx)
  }
  const a = s.assoc.get(from)
  if (a === undefined) return
  // A source that is not synchronized, or that follows us, says nothing we can use.
  const usable = p.stratum < UNSYNCHRONIZED && p.refid !== ctx.self
  if (p.mode === 'server') {
    if (a.xmt === null || p.org !== a.xmt || p.rec === null) return
    const t1 = a.xmt
    a.xmt = null
    const delay = ntpDelay(t1, p.rec, p.xmt, now)
    if (s.params.mode === 'broadcast' && usable) {
      a.calCount++
      a.calDelay += (Math.max(0, delay) - a.calDelay) / a.calCount
    }
    if (usable) sample(s, a, ntpOffset(t1, p.rec, p.xmt, now), delay, p, ctx)
  } else if (p.mode === 'symmetric') {
    const answers = a.xmt !== null && p.org === a.xmt && p.rec !== null
    if (answers && usable)
      sample(
        s,
        a,
        ntpOffset(a.xmt!, p.rec!, p.xmt, now),
        ntpDelay(a.xmt!, p.rec!, p.xmt, now),
        p,
        ctx,
      )
    if (answers) a.xmt = null
    a.theirXmt = p.xmt
    a.theirRec = now
  } else if (p.mode === 'broadcast') {
    if (a.kind !== 'server' || a.calCount < s.params.calibration || !usable) return
    sample(s, a, p.xmt + a.calDelay / 2 - now, a.calDelay, p, ctx)
  }
}

/** Root distance λ of a source: its own bound plus this path's, grown since the sample. */
function distance(s: NtpState, a: Association, out: FilterOutput, now: number): number {
  const phi = s.params.skewBoundPpm * 1e-6
  return (a.rootDelay + out.delay) / 2 + a.rootDisp + out.disp + phi * (now - out.t) + out.jitter
}

function candidates(s: NtpState, kind: Association['kind'], now: number): Candidate[] {
  const out: Candidate[] = []
  for (const a of s.assoc.values()) {
    if (a.kind !== kind || a.output === undefined || a.reach === 0) continue
    if (a.stratum >= UNSYNCHRONIZED) continue
    const lambda = distance(s, a, a.output, now)
    if (lambda > s.params.maxDistanceMs) continue
    out.push({ id: a.id, offset: a.output.offset, distance: lambda, jitter: a.output.jitter })
  }
  return out
}

/** Selection, clustering, combining, then the discipline loop. */
function clockUpdate(s: NtpState, ctx: Ctx): void {
  const now = ctx.now()
  let cands = candidates(s, 'server', now)
  if (cands.length === 0) cands = candidates(s, 'peer', now)
  if (!cands.some((c) => s.assoc.get(c.id)!.fresh)) return
  const chimers = truechimers(cands)
  if (chimers.length === 0)
    return ctx.annotate(NTP_NO_MAJORITY, { candidates: cands.map((c) => c.id) })
  const survivors = cluster(chimers)
  // A wholly new set of sources disagrees with the old one by an offset, not by drift: the
  // loop sets the clock afresh (keeping a frequency it has measured) rather than let its
  // frequency chase the jump.
  if (s.survivors.length > 0 && !survivors.some((c) => s.survivors.includes(c.id)))
    s.loop.state = 'nset'
  s.survivors = survivors.map((c) => c.id)
  const combined = combine(survivors)
  const peer = s.assoc.get(survivors[0].id)!
  const out = peer.output!
  const jitter = Math.max(PRECISION, Math.hypot(out.jitter, combined.jitter))
  ctx.annotate(NTP_UPDATE, {
    offset: combined.offset,
    jitter,
    survivors: survivors.map((c) => c.id),
    falsetickers: cands.filter((c) => !chimers.includes(c)).map((c) => c.id),
    systemPeer: peer.id,
    stratum: peer.stratum + 1,
    poll: s.loop.poll,
  })
  update(s, combined.offset, jitter, now, pollInterval(s), ctx)
  const phi = s.params.skewBoundPpm * 1e-6
  s.sys = {
    synced: s.loop.state === 'sync',
    stratum: peer.stratum + 1,
    rootDelay: peer.rootDelay + out.delay,
    rootDisp: peer.rootDisp + out.disp + jitter + phi * (now - out.t) + Math.abs(combined.offset),
    refid: peer.id,
    updatedAt: now,
  }
  for (const a of s.assoc.values()) a.fresh = false
}

/** Runs the loop with offset θ and moves every stored sample by the correction made. */
function update(
  s: NtpState,
  theta: number,
  jitter: number,
  now: number,
  interval: number,
  ctx: Ctx,
): void {
  const pendingMs = slewStillToCome(s, now)
  const r = loopUpdate(s.loop, theta, jitter, now, {
    clock: ctx.clock,
    policy: s.policy,
    params: s.params.loop,
    minPoll: s.params.minPoll,
    maxPoll: s.params.maxPoll,
    intervalMs: interval,
    pendingMs,
  })
  if (r.how === 'none') return
  s.slew = { amount: pendingMs + (r.how === 'slew' ? r.correction : 0), at: now }
  if (r.whole) s.settledAt = now + slewDurationMs(s.slew.amount, s.policy.maxSlewPpm)
  for (const f of [s.refFilter, ...[...s.assoc.values()].map((a) => a.filter)])
    filterShift(f, r.correction)
  for (const a of s.assoc.values()) if (a.output) a.output.offset -= r.correction
  if (r.freqChanged) ctx.stable.freqPpm = s.loop.freqPpm
}

export const ntp = defineAlgorithm<NtpState, NtpMsg, never, NtpParams, NtpStable>({
  name: 'ntp',
  family: 'sync',
  summary: 'NTP: four-timestamp exchange, clock filter, selection, PLL/FLL loop, strata 1..15',
  params: NtpParamsSchema,
  minNodes: (p) => minNodes(p.servers, p.stratumDepth),
  defaultUntil: 3_600_000,
  stable: () => ({ freqPpm: 0 }),
  init(ctx, params) {
    const levels = strata(params.servers, params.stratumDepth, ctx.nodeCount)
    const level = levels[ctx.self]
    const assoc = new Map<NodeId, Association>()
    for (const id of stratumMembers(levels, level - 1)) assoc.set(id, association(id, 'server'))
    if (params.mode === 'symmetric' && level > 1)
      for (const id of stratumMembers(levels, level))
        if (id !== ctx.self) assoc.set(id, association(id, 'peer'))
    return {
      params,
      policy: policyFor(params.discipline, ctx.self),
      level,
      serves: levels.includes(level + 1),
      assoc,
      refFilter: newFilter(),
      loop: newLoop(ctx.stable.freqPpm, params.minPoll),
      sys: {
        synced: false,
        stratum: level === 1 ? 1 : UNSYNCHRONIZED,
        rootDelay: 0,
        rootDisp: 0,
        refid: -1,
        updatedAt: 0,
      },
      survivors: [],
      burstLeft: params.iburst ? BURST : 0,
      inBurst: false,
      slew: { amount: 0, at: 0 },
      settledAt: 0,
      txSeq: 0,
      tx: new Map(),
    }
  },
  onStart(s, ctx) {
    startStamps(ctx, s.params.stampMs)
    // A restart reads the drift file back into the kernel, as ntpd does.
    if (ctx.stable.freqPpm !== 0) ctx.clock.adjustFrequency(ctx.stable.freqPpm)
    poll(s, ctx)
  },
  onTimer(s, name, ctx) {
    if (name === POLL) poll(s, ctx)
    else if (name === COLLECT) clockUpdate(s, ctx)
    else if (name === STAMP_TIMER) takeStamp(ctx, s.params.stampMs!)
    else if (name.startsWith(TX)) {
      const tx = s.tx.get(name)
      s.tx.delete(name)
      if (tx === undefined) return
      if (tx.to === 'all') ctx.broadcast(tx.msg)
      else ctx.send(tx.to, tx.msg)
    }
  },
  onMessage(s, from, m, ctx) {
    onPacket(s, from, m, ctx)
  },
})

// Decentralized mutual exclusion by majority voting. Rules (course notes): the
// resource has m replicated coordinators (here nodes 0..m-1; all N by default).
// A process that wants to enter asks every coordinator for its vote and enters
// once more than m/2 have voted for it. A coordinator votes for one requester at
// a time: it answers any other request with DENY until its vote is released.
// A requester that cannot get a majority (too many denials, or a timeout) gives
// back the votes it got and retries after a random back-off; on leaving, it
// gives back every vote. Votes are volatile: a coordinator that crashes and
// recovers forgets whom it voted for and may vote twice (the known weakness).
// The algorithm is not fair: a process may keep losing (starvation), and
// contention lowers utilization.
// Here, after each failed attempt of the same request, the back-off window and
// the timeout double (binary exponential back-off, as on Ethernet, up to 64x):
// with fixed ones, busy requesters can keep splitting the votes, and a timeout
// shorter than a slow link's round trip never succeeds. Attempts are numbered,
// so a late vote for an abandoned attempt is given back at once.
// Tolerates delay, reordering (no FIFO) and duplicates; a lost message can only
// cost a timeout, except a lost release, which keeps a vote away for good.
import { z } from 'zod'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import { CS_ENTER, CS_EXIT, CS_IGNORED, CS_REQUEST, CS_RETRY, type RetryNote } from './notes'
import {
  EXIT_TIMER,
  MutexCommandSchema,
  holdMs,
  randomRequest,
  type MutexCommand,
} from './workload'

export const MajorityParamsSchema = z
  .object({
    holdMs,
    /** Number of coordinators m (nodes 0..m-1); all nodes when omitted. */
    coordinators: z.number().int().positive().optional(),
    /** How long a first attempt may wait for a majority before giving up. */
    timeoutMs: z.number().positive().default(100),
    /** The random back-off before the first retry is uniform in [0, backoffMs). */
    backoffMs: z.number().nonnegative().default(50),
  })
  .strict()

export type MajorityParams = z.infer<typeof MajorityParamsSchema>

export type MajorityMsg = {
  type: 'request' | 'vote' | 'deny' | 'release'
  attempt: number
}

export interface MajorityState {
  params: MajorityParams
  /** Number of coordinators, and the votes needed: more than m/2. */
  m: number
  needed: number
  phase: 'idle' | 'collecting' | 'backoff' | 'inside'
  attempt: number
  /** Coordinators that voted for the current attempt. */
  votes: NodeId[]
  denials: number
  /** Failed attempts of the current request. */
  failures: number
  /** As a coordinator: the requester and attempt this node voted for, if any. */
  votedFor: { node: NodeId; attempt: number } | null
}

type Ctx = Context<MajorityMsg>

const TIMEOUT_TIMER = 'timeout'
const RETRY_TIMER = 'retry'
/** Back-off and timeout stop growing at 2^6 = 64 times their base. */
const MAX_DOUBLINGS = 6

/** How much the back-off window and the timeout have grown: 2^(failures so far). */
const growth = (s: MajorityState) => 2 ** Math.min(s.failures, MAX_DOUBLINGS)

/** A message to coordinator `c`: handled in place when this node is that coordinator. */
function toCoordinator(s: MajorityState, c: NodeId, m: MajorityMsg, ctx: Ctx): void {
  if (c === ctx.self) coordinate(s, c, m, ctx)
  else ctx.send(c, m)
}

/** An answer to requester `r`: handled in place when it is this node. */
function toRequester(s: MajorityState, r: NodeId, m: MajorityMsg, ctx: Ctx): void {
  if (r === ctx.self) onAnswer(s, r, m, ctx)
  else ctx.send(r, m)
}

/** Coordinator: one vote at a time; a release frees it only if it names the vote given. */
function coordinate(s: MajorityState, from: NodeId, m: MajorityMsg, ctx: Ctx): void {
  const v = s.votedFor
  const same = v !== null && v.node === from && v.attempt === m.attempt
  if (m.type === 'release') {
    if (same) s.votedFor = null
    return
  }
  if (v === null) s.votedFor = { node: from, attempt: m.attempt }
  toRequester(s, from, { type: v === null || same ? 'vote' : 'deny', attempt: m.attempt }, ctx)
}

function startAttempt(s: MajorityState, ctx: Ctx): void {
  s.attempt += 1
  s.votes = []
  s.denials = 0
  s.phase = 'collecting'
  ctx.setTimer(TIMEOUT_TIMER, s.params.timeoutMs * growth(s))
  // A node that coordinates answers itself in place, which may already decide the attempt.
  for (let c = 0; c < s.m && s.phase === 'collecting'; c++)
    toCoordinator(s, c, { type: 'request', attempt: s.attempt }, ctx)
}

function giveBack(s: MajorityState, voters: readonly NodeId[], attempt: number, ctx: Ctx): void {
  for (const c of voters) toCoordinator(s, c, { type: 'release', attempt }, ctx)
}

/** Requester: a vote or a denial from coordinator `from`. */
function onAnswer(s: MajorityState, from: NodeId, m: MajorityMsg, ctx: Ctx): void {
  const current = m.attempt === s.attempt && (s.phase === 'collecting' || s.phase === 'inside')
  if (m.type === 'vote') {
    if (!current) return giveBack(s, [from], m.attempt, ctx)
    if (!s.votes.includes(from)) s.votes.push(from)
    if (s.phase === 'collecting' && s.votes.length >= s.needed) enter(s, ctx)
  } else if (current && s.phase === 'collecting') {
    s.denials += 1
    if (s.denials > s.m - s.needed) fail(s, 'denied', ctx)
  }
}

function enter(s: MajorityState, ctx: Ctx): void {
  s.phase = 'inside'
  ctx.cancelTimer(TIMEOUT_TIMER)
  ctx.annotate(CS_ENTER, { votes: s.votes.length, attempt: s.attempt })
  ctx.setTimer(EXIT_TIMER, s.params.holdMs)
}

function fail(s: MajorityState, reason: RetryNote['reason'], ctx: Ctx): void {
  ctx.annotate(CS_RETRY, { reason, votes: s.votes.length, needed: s.needed } satisfies RetryNote)
  s.phase = 'backoff'
  ctx.cancelTimer(TIMEOUT_TIMER)
  giveBack(s, s.votes, s.attempt, ctx)
  s.votes = []
  ctx.setTimer(RETRY_TIMER, ctx.random() * s.params.backoffMs * growth(s))
  s.failures += 1
}

export const mutexMajority = defineAlgorithm<
  MajorityState,
  MajorityMsg,
  MutexCommand,
  MajorityParams
>({
  name: 'mutex-majority',
  family: 'mutex',
  summary:
    'Decentralized majority voting: enter with votes from more than m/2 coordinators, else back off and retry',
  params: MajorityParamsSchema,
  commands: MutexCommandSchema,
  init: (ctx, params) => {
    const m = params.coordinators ?? ctx.nodeCount
    if (m > ctx.nodeCount)
      throw new RangeError(`mutex-majority: ${m} coordinators but only ${ctx.nodeCount} nodes`)
    return {
      params,
      m,
      needed: Math.floor(m / 2) + 1,
      phase: 'idle',
      attempt: 0,
      votes: [],
      denials: 0,
      failures: 0,
      votedFor: null,
    }
  },
  onCommand(s, _cmd, ctx) {
    if (s.phase !== 'idle')
      return ctx.annotate(CS_IGNORED, { reason: s.phase === 'inside' ? 'inside' : 'waiting' })
    ctx.annotate(CS_REQUEST)
    s.failures = 0
    startAttempt(s, ctx)
  },
  onMessage(s, from, m, ctx) {
    if (m.type === 'request' || m.type === 'release') coordinate(s, from, m, ctx)
    else onAnswer(s, from, m, ctx)
  },
  onTimer(s, name, ctx) {
    if (name === TIMEOUT_TIMER && s.phase === 'collecting') return fail(s, 'timeout', ctx)
    if (name === RETRY_TIMER && s.phase === 'backoff') return startAttempt(s, ctx)
    if (name !== EXIT_TIMER || s.phase !== 'inside') return
    s.phase = 'idle'
    ctx.annotate(CS_EXIT)
    giveBack(s, s.votes, s.attempt, ctx)
    s.votes = []
  },
  randomCommand: randomRequest,
})

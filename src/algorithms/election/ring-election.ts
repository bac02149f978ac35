// Chang and Roberts' ring election. Rules (course notes): the processes form a
// logical ring; each is a PARTICIPANT or a NON-PARTICIPANT (initially).
// - A process that suspects the coordinator (its failure detector says so)
//   starts an election: it becomes a participant and sends ELECTION(own id) to
//   its successor.
// - On ELECTION(id): if id > own id, it forwards the message; if id < own id and
//   it is a non-participant, it sends ELECTION(own id) instead; if id < own id
//   and it is a participant already, it discards the message. Either way it
//   becomes a participant. If id = own id, its id has gone round the ring: it is
//   elected, becomes a non-participant and sends ELECTED(own id) to its successor.
// - On ELECTED(id): it records id as the coordinator, becomes a non-participant
//   and forwards the message, unless id is its own (the message is home).
// The ring: successor = the next id mod N (or the previous one, `order:
// descending`), skipping every process the detector suspects. Crashed
// successors: a message sent to a successor that has crashed but is not yet
// suspected is lost, so a participant that sees no ELECTED within the election
// timeout R starts a new election; by then the crashed process is suspected and
// skipped. An ELECTION carrying the id of a suspected process is discarded (its
// owner crashed; the id could never come home and would circle for ever), and
// an ELECTED that comes round a second time (its leader crashed before it got
// home) is not forwarded again. A recovering process waits T + P, so that its
// detector knows who is up and its peers know it is back, then holds an
// election unless it has learnt of a higher coordinator meanwhile. At the start
// of a run every process takes the highest id as coordinator. Each election a
// process starts is a round named by its id and a counter kept in stable
// storage; ELECTION and ELECTED carry it.
// Assumptions: reliable links, and a detector that does not suspect live
// processes (delays below the detector's accuracy bound); the election elects
// the highest id among the processes the ring reaches.
import { z } from 'zod'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import {
  createDetector,
  detectorMessage,
  detectorTimer,
  isDetectorMessage,
  isDetectorTimer,
  startDetector,
  type DetectorMsg,
  type Suspicion,
} from '../detect/detector'
import {
  assumeHighestLeader,
  embeddedDetectorFields,
  newRound,
  takeLeader,
  type ElectorStable,
  type ElectorState,
} from './elector'
import type { Round } from './notes'
import { ElectCommandSchema, randomElect, type ElectCommand } from './workload'

export const RingElectionParamsSchema = z
  .object({
    ...embeddedDetectorFields,
    /** R: a participant that sees no ELECTED for this long starts a new election. */
    electionTimeoutMs: z.number().positive().default(1000),
    /** Successor: the next id (ascending) or the previous id (descending), mod N. */
    order: z.enum(['ascending', 'descending']).default('ascending'),
  })
  .strict()

export type RingElectionParams = z.infer<typeof RingElectionParamsSchema>

export type RingMsg =
  | DetectorMsg
  | { type: 'ELECTION'; id: NodeId; round: Round }
  | { type: 'ELECTED'; id: NodeId; round: Round }

export interface RingState extends ElectorState {
  params: RingElectionParams
  participant: boolean
  /** Rounds whose ELECTED this process has already passed on. */
  elected: Set<Round>
}

export type RingStable = ElectorStable

type Ctx = Context<RingMsg, RingStable>

const RETRY_TIMER = 'ring.retry'
const REJOIN_TIMER = 'ring.rejoin'

/** The first process after this one in ring order that the detector does not suspect. */
function successor(s: RingState, ctx: Ctx): NodeId | undefined {
  const n = ctx.nodeCount
  const step = s.params.order === 'ascending' ? 1 : n - 1
  for (let k = 1; k < n; k++) {
    const p = (ctx.self + k * step) % n
    if (!s.fd.suspected[p]) return p
  }
  return undefined
}

function pass(s: RingState, m: RingMsg, ctx: Ctx): void {
  const next = successor(s, ctx)
  if (next !== undefined) ctx.send(next, m)
}

function participate(s: RingState, ctx: Ctx): void {
  if (!s.participant) ctx.setTimer(RETRY_TIMER, s.params.electionTimeoutMs)
  s.participant = true
}

function startElection(s: RingState, ctx: Ctx): void {
  const round = newRound(ctx)
  if (successor(s, ctx) === undefined) return elected(s, round, ctx)
  s.participant = true
  ctx.setTimer(RETRY_TIMER, s.params.electionTimeoutMs)
  pass(s, { type: 'ELECTION', id: ctx.self, round }, ctx)
}

function elected(s: RingState, round: Round, ctx: Ctx): void {
  s.participant = false
  ctx.cancelTimer(RETRY_TIMER)
  s.elected.add(round)
  takeLeader(s, ctx.self, round, ctx)
  pass(s, { type: 'ELECTED', id: ctx.self, round }, ctx)
}

function onElection(s: RingState, id: NodeId, round: Round, ctx: Ctx): void {
  if (id === ctx.self) return elected(s, round, ctx)
  if (s.fd.suspected[id]) return
  if (id > ctx.self) {
    participate(s, ctx)
    pass(s, { type: 'ELECTION', id, round }, ctx)
  } else if (!s.participant) {
    participate(s, ctx)
    pass(s, { type: 'ELECTION', id: ctx.self, round }, ctx)
  }
}

function onElected(s: RingState, id: NodeId, round: Round, ctx: Ctx): void {
  if (id === ctx.self || s.elected.has(round)) return
  s.elected.add(round)
  s.participant = false
  ctx.cancelTimer(RETRY_TIMER)
  takeLeader(s, id, round, ctx)
  pass(s, { type: 'ELECTED', id, round }, ctx)
  if (s.fd.suspected[id]) startElection(s, ctx)
}

function onSuspicion(s: RingState, changes: readonly Suspicion[], ctx: Ctx): void {
  for (const c of changes)
    if (c.suspected && c.peer === s.leader && !s.participant) startElection(s, ctx)
}

export const ringElection = defineAlgorithm<
  RingState,
  RingMsg,
  ElectCommand,
  RingElectionParams,
  RingStable
>({
  name: 'ring-election',
  family: 'election',
  summary:
    'Chang-Roberts ring election: the largest id goes round the ring; triggered by a failure detector',
  params: RingElectionParamsSchema,
  commands: ElectCommandSchema,
  stable: () => ({ elections: 0 }),
  init: (ctx, params) => ({
    params,
    fd: createDetector(ctx.nodeCount, params),
    leader: undefined,
    participant: false,
    elected: new Set(),
  }),
  onStart(s, ctx) {
    startDetector(s.fd, ctx)
    if (ctx.incarnation > 0)
      return ctx.setTimer(REJOIN_TIMER, s.params.timeoutMs + s.params.periodMs)
    assumeHighestLeader(s, ctx)
  },
  onMessage(s, from, m, ctx) {
    if (isDetectorMessage(m)) return onSuspicion(s, detectorMessage(s.fd, from, m, ctx), ctx)
    if (m.type === 'ELECTION') onElection(s, m.id, m.round, ctx)
    else onElected(s, m.id, m.round, ctx)
  },
  onTimer(s, name, ctx) {
    if (isDetectorTimer(name)) return onSuspicion(s, detectorTimer(s.fd, name, ctx), ctx)
    if (name === RETRY_TIMER) return startElection(s, ctx)
    if (name === REJOIN_TIMER && !s.participant && (s.leader === undefined || s.leader < ctx.self))
      startElection(s, ctx)
  },
  onCommand(s, _cmd, ctx) {
    if (!s.participant) startElection(s, ctx)
  },
  randomCommand: randomElect,
})

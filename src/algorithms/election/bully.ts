// Garcia-Molina's bully election. Rules (course notes):
// - A process that suspects the coordinator (its failure detector says so), or
//   that recovers from a crash, holds an election: it sends ELECTION to every
//   process with a higher id. If no ANSWER arrives within the answer timeout A,
//   it is the coordinator: it sends COORDINATOR to all. If an ANSWER arrives, it
//   waits for a COORDINATOR; if none comes within the timeout C, it starts over.
// - A process that receives ELECTION from a lower id sends ANSWER back and holds
//   an election of its own, unless it is holding one already.
// - A process that receives COORDINATOR from a higher id adopts it as
//   coordinator. From a lower id, it bullies: it is alive and higher, so it holds
//   a new election (restarting any it was holding) and will announce itself.
// The highest process has nobody to ask and always wins, which is how a
// recovering highest process bullies its way back. It too waits A before
// announcing: an announcement made in answer to another then reaches everyone
// after that one, so every process ends with the later. If the coordinator a
// process adopts is one its detector suspects, it holds an election at once.
// At the start of a run every process takes the highest id as coordinator, as
// if an election had just ended. Each election a process starts is a round
// named by its id and a counter kept in stable storage; ELECTION, ANSWER and
// COORDINATOR carry it.
// Assumptions: reliable links (no loss, no partition) with delays below A/2, so
// every live higher process answers in time; then a process announces itself
// only if every higher process was down at some moment of its election. The
// embedded failure detector (heartbeat or ping, detector.ts) only triggers
// elections.
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

export const BullyParamsSchema = z
  .object({
    ...embeddedDetectorFields,
    /** A: how long to wait for an ANSWER before announcing oneself. */
    answerTimeoutMs: z.number().positive().default(50),
    /** C: how long to wait for a COORDINATOR after an ANSWER before starting over. */
    coordinatorTimeoutMs: z.number().positive().default(150),
  })
  .strict()

export type BullyParams = z.infer<typeof BullyParamsSchema>

export type BullyMsg =
  | DetectorMsg
  | { type: 'ELECTION'; round: Round }
  | { type: 'ANSWER'; round: Round }
  | { type: 'COORDINATOR'; round: Round }

export interface BullyState extends ElectorState {
  params: BullyParams
  /** The election this process is holding, and what it waits for. */
  election: { round: Round; waiting: 'answer' | 'coordinator' } | undefined
}

export type BullyStable = ElectorStable

type Ctx = Context<BullyMsg, BullyStable>

const ANSWER_TIMER = 'bully.answer'
const COORDINATOR_TIMER = 'bully.coordinator'

function endElection(s: BullyState, ctx: Ctx): void {
  s.election = undefined
  ctx.cancelTimer(ANSWER_TIMER)
  ctx.cancelTimer(COORDINATOR_TIMER)
}

function holdElection(s: BullyState, ctx: Ctx): void {
  endElection(s, ctx)
  const round = newRound(ctx)
  s.election = { round, waiting: 'answer' }
  for (const p of ctx.peers) if (p > ctx.self) ctx.send(p, { type: 'ELECTION', round })
  ctx.setTimer(ANSWER_TIMER, s.params.answerTimeoutMs)
}

function announce(s: BullyState, round: Round, ctx: Ctx): void {
  endElection(s, ctx)
  takeLeader(s, ctx.self, round, ctx)
  ctx.broadcast({ type: 'COORDINATOR', round })
}

function adopt(s: BullyState, leader: NodeId, round: Round, ctx: Ctx): void {
  endElection(s, ctx)
  takeLeader(s, leader, round, ctx)
  if (s.fd.suspected[leader]) holdElection(s, ctx)
}

function onCoordinator(s: BullyState, from: NodeId, round: Round, ctx: Ctx): void {
  if (from < ctx.self) holdElection(s, ctx)
  else adopt(s, from, round, ctx)
}

function onSuspicion(s: BullyState, changes: readonly Suspicion[], ctx: Ctx): void {
  for (const c of changes)
    if (c.suspected && c.peer === s.leader && s.election === undefined) holdElection(s, ctx)
}

export const bully = defineAlgorithm<BullyState, BullyMsg, ElectCommand, BullyParams, BullyStable>({
  name: 'bully',
  family: 'election',
  summary:
    'Bully election: ask every higher process, win if none answers; triggered by a failure detector',
  params: BullyParamsSchema,
  commands: ElectCommandSchema,
  stable: () => ({ elections: 0 }),
  init: (ctx, params) => ({
    params,
    fd: createDetector(ctx.nodeCount, params),
    leader: undefined,
    election: undefined,
  }),
  onStart(s, ctx) {
    startDetector(s.fd, ctx)
    if (ctx.incarnation > 0) return holdElection(s, ctx)
    assumeHighestLeader(s, ctx)
  },
  onMessage(s, from, m, ctx) {
    if (isDetectorMessage(m)) return onSuspicion(s, detectorMessage(s.fd, from, m, ctx), ctx)
    switch (m.type) {
      case 'ELECTION':
        ctx.send(from, { type: 'ANSWER', round: m.round })
        if (s.election === undefined) holdElection(s, ctx)
        return
      case 'ANSWER':
        if (s.election?.round !== m.round || s.election.waiting !== 'answer') return
        s.election.waiting = 'coordinator'
        ctx.cancelTimer(ANSWER_TIMER)
        ctx.setTimer(COORDINATOR_TIMER, s.params.coordinatorTimeoutMs)
        return
      case 'COORDINATOR':
        return onCoordinator(s, from, m.round, ctx)
    }
  },
  onTimer(s, name, ctx) {
    if (isDetectorTimer(name)) return onSuspicion(s, detectorTimer(s.fd, name, ctx), ctx)
    if (name === ANSWER_TIMER && s.election?.waiting === 'answer')
      announce(s, s.election.round, ctx)
    else if (name === COORDINATOR_TIMER && s.election?.waiting === 'coordinator')
      holdElection(s, ctx)
  },
  onCommand(s, _cmd, ctx) {
    if (s.election === undefined) holdElection(s, ctx)
  },
  randomCommand: randomElect,
})

// What bully and ring election do alike, word for word: the failure detector
// they embed (../detect/detector.ts), with its params among theirs; the
// coordinator a process takes, at the start of a run (the highest id, as if an
// election had just ended) and when an election ends; and the numbering of the
// elections a process starts, kept in stable storage. Each algorithm's own file
// keeps its rules: when it holds an election, what it sends, how it decides.
import type { Context, NodeId } from '../../core/process'
import type { DetectorState } from '../detect/detector'
import { DetectorKindSchema, detectorFields } from '../detect/notes'
import { ELECTION_START, LEADER, roundName, type LeaderNote, type Round } from './notes'

/** The embedded detector's params, spread into each election's params schema. */
export const embeddedDetectorFields = {
  detector: DetectorKindSchema.default('heartbeat'),
  ...detectorFields,
}

/** The part of an election's state both algorithms hold. */
export interface ElectorState {
  fd: DetectorState
  leader: NodeId | undefined
}

export interface ElectorStable {
  /** Elections started, ever: numbers this process's rounds. */
  elections: number
}

type ElectorContext = Pick<
  Context<unknown, ElectorStable>,
  'self' | 'nodeCount' | 'stable' | 'annotate'
>

/** On a first start: every process takes the highest id as coordinator. */
export function assumeHighestLeader(s: ElectorState, ctx: ElectorContext): void {
  s.leader = ctx.nodeCount - 1
  ctx.annotate(LEADER, { leader: s.leader } satisfies LeaderNote)
}

/** This process takes `leader` (itself, when it wins) as coordinator, elected in `round`. */
export function takeLeader(
  s: ElectorState,
  leader: NodeId,
  round: Round,
  ctx: ElectorContext,
): void {
  s.leader = leader
  ctx.annotate(LEADER, { leader, round } satisfies LeaderNote)
}

/** Starts a round of this process's own: counts it in stable storage, names and annotates it. */
export function newRound(ctx: ElectorContext): Round {
  ctx.stable.elections += 1
  const round = roundName(ctx.self, ctx.stable.elections)
  ctx.annotate(ELECTION_START, { round })
  return round
}

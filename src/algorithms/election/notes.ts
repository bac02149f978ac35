// The election family's shared vocabulary: the annotations its algorithms put on
// trace events, the message types they send, how election rounds are named, and
// how long a run must stay fault-free for its elections to settle. Checkers and
// metrics read runs through these names only.
import { z } from 'zod'
import type { JsonValue } from '../../core/json'
import type { NodeId } from '../../core/process'

/**
 * An election round: `${initiator}.${k}`, the k-th election that process started
 * (k is kept in stable storage, so a round name is never reused after a crash).
 * Messages carry the round they belong to.
 */
export type Round = string

export function roundName(initiator: NodeId, k: number): Round {
  return `${initiator}.${k}`
}

/** On the event where a process starts an election of its own. */
export const ELECTION_START = 'election.start'
export interface ElectionStartNote {
  round: Round
}

/**
 * On the event where a process takes `leader` as coordinator: the winner when it
 * announces itself (leader === the annotated node), every other process when it
 * adopts the announcement. `round` is the round that elected it; absent for the
 * initial coordinator every process assumes at the start of a run.
 */
export const LEADER = 'leader'
export interface LeaderNote {
  leader: NodeId
  round?: Round
}

/** The `type` of every election message (the detector's own start with 'fd.'). */
export type ElectionMessageType = 'ELECTION' | 'ANSWER' | 'COORDINATOR' | 'ELECTED'
export const ELECTION_MESSAGE_TYPES: readonly ElectionMessageType[] = [
  'ELECTION',
  'ANSWER',
  'COORDINATOR',
  'ELECTED',
]

const TimeoutsSchema = z.looseObject({
  periodMs: z.number(),
  timeoutMs: z.number(),
  answerTimeoutMs: z.number().default(0),
  coordinatorTimeoutMs: z.number().default(0),
  electionTimeoutMs: z.number().default(0),
})

/**
 * How long after its last fault a run of `n` nodes with message delays up to
 * `maxDelay` must go on before every live process agrees on the leader (a bound
 * from the rules, generous rather than tight), from the run's meta.params:
 * - the crashed coordinator is suspected within P + T + dmax (detector);
 * Undefined when the parameters lack the detector's period and timeout.
 * - bully: an election ends within A + C (answer, then coordinator timeout)
 *   plus chains of at most n message delays; allow for one more, started by a
 *   process that adopts a coordinator it already suspects;
 * - ring: a recovered process waits T + P before its election; an election laps
 *   the ring at most three times (ELECTION to the winner, its own lap, ELECTED),
 *   and one retry after R covers a message lost to a crashed successor.
 */
export function settleTime(
  algorithm: string,
  params: JsonValue,
  n: number,
  maxDelay: number,
): number | undefined {
  const r = TimeoutsSchema.safeParse(params)
  if (!r.success) return undefined
  const p = r.data
  const detect = p.periodMs + p.timeoutMs + maxDelay
  if (algorithm === 'bully')
    return detect + 2 * (p.answerTimeoutMs + p.coordinatorTimeoutMs + 2 * n * maxDelay)
  return 2 * detect + 2 * (p.electionTimeoutMs + 3 * n * maxDelay)
}

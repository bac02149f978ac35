// Election metrics read from a trace: the election messages sent (ELECTION,
// ANSWER, COORDINATOR for bully; ELECTION, ELECTED for the ring), told apart by
// their payload's `type` and counted one per destination, in total and by the
// round each carries, over a window of send times; and what the textbook says
// they should be for the cases it analyses.
//
// A bully election, in the textbook's sense, is several rounds: every process
// that receives an ELECTION holds one of its own. So its cost is the total over
// the window that follows the crash, not one round's.
import {
  ELECTION_MESSAGE_TYPES,
  ELECTION_START,
  type ElectionMessageType,
  type Round,
} from '../../algorithms/election/notes'
import { isProcessEvent, type Trace, timeOf, notesOf } from '../../core/trace'
import type { ScenarioInput } from '../../sim/scenario'

export type MessageCounts = Record<ElectionMessageType, number> & { total: number }

export interface ElectionMetrics {
  /** Elections started in the window ('election.start' notes). */
  elections: number
  messages: MessageCounts
  byRound: Map<Round, MessageCounts>
}

const zero = (): MessageCounts => ({ ELECTION: 0, ANSWER: 0, COORDINATOR: 0, ELECTED: 0, total: 0 })

const isElectionType = (t: unknown): t is ElectionMessageType =>
  ELECTION_MESSAGE_TYPES.includes(t as ElectionMessageType)

/** Election messages sent in [from, to) (true time; local clock in a live trace). */
export function electionMetrics(
  trace: Pick<Trace, 'events'>,
  window: { from?: number; to?: number } = {},
): ElectionMetrics {
  const { from = -Infinity, to = Infinity } = window
  const out: ElectionMetrics = { elections: 0, messages: zero(), byRound: new Map() }
  for (const e of trace.events) {
    if (!isProcessEvent(e)) continue
    const t = timeOf(e) ?? 0
    if (t < from || t >= to) continue
    out.elections += notesOf(e, ELECTION_START).length
    if (e.kind !== 'send') continue
    const m = e.payload as { type?: unknown; round?: Round } | null
    if (!isElectionType(m?.type)) continue
    const k = e.to.length
    let r = m.round === undefined ? undefined : out.byRound.get(m.round)
    if (m.round !== undefined && r === undefined) out.byRound.set(m.round, (r = zero()))
    for (const c of r ? [out.messages, r] : [out.messages]) {
      c[m.type] += k
      c.total += k
    }
  }
  return out
}

/** When the highest process crashes in a `bullyCase` run. */
export const BULLY_CASE_CRASH = 1000

/**
 * A bully run that realizes the textbook's worst or best case: the highest of
 * `n` processes crashes at BULLY_CASE_CRASH and one chosen process notices
 * first, the lowest (worst) or the second highest (best). The network decides
 * who notices first: heartbeats from the highest reach the chosen one in 2 ms
 * and the others in 50 ms (worst) or 150 ms (best), so the chosen one suspects
 * it that much earlier (detection = last heartbeat's arrival + T). In the worst
 * case every other process joins through the chosen one's ELECTION before its
 * own detector fires; in the best case the new coordinator has announced itself
 * by then. Every other link takes 2 ms.
 */
export function bullyCase(n: number, kase: 'worst' | 'best'): ScenarioInput {
  const top = n - 1
  const first = kase === 'worst' ? 0 : n - 2
  const slow = kase === 'worst' ? 50 : 150
  return {
    algorithm: 'bully',
    nodes: n,
    until: BULLY_CASE_CRASH + 1000,
    workload: false,
    params: { periodMs: 100, timeoutMs: 300, answerTimeoutMs: 30, coordinatorTimeoutMs: 100 },
    network: {
      default: { delay: { dist: 'constant', ms: 2 } },
      links: Array.from({ length: top }, (_, j) => j)
        .filter((j) => j !== first)
        .map((j) => ({ from: top, to: j, delay: { dist: 'constant' as const, ms: slow } })),
    },
    faults: [{ at: BULLY_CASE_CRASH, crash: top }],
  }
}

/**
 * Bully, N processes, the highest crashed and the lowest the first to notice
 * (the worst case): process i < N-1 sends ELECTION to the N-1-i above it, so
 * N(N-1)/2 in all; each live j in 1..N-2 answers the j processes below it,
 * (N-1)(N-2)/2 ANSWERs; the new coordinator N-2 sends COORDINATOR to all N-1
 * others. Total N(N-1): O(N^2).
 */
export function bullyWorstCase(n: number): MessageCounts {
  const election = (n * (n - 1)) / 2
  const answer = ((n - 1) * (n - 2)) / 2
  const coordinator = n - 1
  return {
    ELECTION: election,
    ANSWER: answer,
    COORDINATOR: coordinator,
    ELECTED: 0,
    total: n * (n - 1),
  }
}

/**
 * Bully, the highest crashed and the second highest the first to notice, before
 * anyone else does (the best case): one ELECTION to the crashed process, no
 * ANSWER, N-1 COORDINATORs. Total N.
 */
export function bullyBestCase(n: number): MessageCounts {
  return { ELECTION: 1, ANSWER: 0, COORDINATOR: n - 1, ELECTED: 0, total: n }
}

/**
 * Chang-Roberts on a ring of N live processes, one initiator at distance k
 * (0..N-1, along the ring) before the highest: its ELECTION travels k hops to
 * the highest, whose own id then goes once round (N hops), then ELECTED goes
 * once round (N). Total 2N + k: 2N at best (the highest starts), 3N - 1 at worst.
 */
export function ringSingleInitiator(n: number, k: number): MessageCounts {
  return { ELECTION: n + k, ANSWER: 0, COORDINATOR: 0, ELECTED: n, total: 2 * n + k }
}

/**
 * Chang-Roberts, all N processes start at once. Ids ascending along the ring:
 * each lower id is discarded by its successor after one hop (N-1), the highest
 * goes once round (N): 2N - 1 ELECTIONs. Ids descending along the ring: id i
 * travels i+1 hops before the highest discards it, the highest N: N(N+1)/2, the
 * textbook's O(N^2) worst case. Then N ELECTED.
 */
export function ringAllStart(n: number, order: 'ascending' | 'descending'): MessageCounts {
  const election = order === 'ascending' ? 2 * n - 1 : (n * (n + 1)) / 2
  return { ELECTION: election, ANSWER: 0, COORDINATOR: 0, ELECTED: n, total: election + n }
}

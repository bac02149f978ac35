// The term rules every server follows, whatever its role (Figure 2, "All
// servers" and the follower's election timer): a newer term seen in any request
// or reply makes a server a follower of that term; a follower that hears nothing
// from a leader for an election timeout becomes a candidate. Timeouts are drawn
// anew each time from [electionMinMs, electionMaxMs] with the node's seeded
// random(): that is what breaks split votes.
import type { NodeId } from '../../core/process'
import { ELECTION_TIMER, HEARTBEAT_TIMER, type ServerState } from './state'
import type { Ctx } from './types'

export function resetElectionTimer(s: ServerState, ctx: Ctx): void {
  const { electionMinMs: min, electionMaxMs: max } = s.params
  ctx.setTimer(ELECTION_TIMER, min + (max - min) * ctx.random())
}

/** "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower." */
export function observeTerm(s: ServerState, term: number, ctx: Ctx): void {
  const stable = ctx.stable.raft
  if (term <= stable.currentTerm) return
  stable.currentTerm = term
  stable.votedFor = null
  becomeFollower(s, null, ctx)
}

export function becomeFollower(s: ServerState, leader: NodeId | null, ctx: Ctx): void {
  // A leader has no election timer running; a candidate keeps the one it armed.
  if (s.role === 'leader') {
    ctx.cancelTimer(HEARTBEAT_TIMER)
    resetElectionTimer(s, ctx)
  }
  s.role = 'follower'
  s.leader = leader
}

// Leader election (§5.2). Figure 2 (the term rules for all servers are in terms.ts):
// - Followers: if the election timeout elapses without AppendEntries from the
//   current leader or granting a vote to a candidate, convert to candidate.
// - Candidates: on conversion, increment currentTerm, vote for self, reset the
//   election timer, send RequestVote to all other servers; with votes from a
//   majority become leader; on AppendEntries from a new leader become follower;
//   if the election timeout elapses, start a new election.
// - RequestVote receiver: reply false if term < currentTerm; grant the vote if
//   votedFor is null or the candidate, and the candidate's log is at least as
//   up-to-date as the receiver's (the election restriction, rules.ts).
import type { NodeId } from '../../core/process'
import { lastIndex, lastTerm } from './log'
import { RAFT_CANDIDATE, RAFT_LEADER, type TermNote } from './notes'
import { replicate } from './replication'
import type { RaftRules } from './rules'
import { ELECTION_TIMER, isMajority, type ServerState } from './state'
import { observeTerm, resetElectionTimer } from './terms'
import type { Ctx, RaftMsg } from './types'

export function startElection(s: ServerState, ctx: Ctx): void {
  const stable = ctx.stable.raft
  stable.currentTerm += 1
  stable.votedFor = ctx.self
  s.role = 'candidate'
  s.leader = null
  s.votes = [ctx.self]
  ctx.annotate(RAFT_CANDIDATE, { term: stable.currentTerm } satisfies TermNote)
  resetElectionTimer(s, ctx)
  const request: RaftMsg = {
    type: 'RequestVote',
    term: stable.currentTerm,
    lastLogIndex: lastIndex(stable.log),
    lastLogTerm: lastTerm(stable.log),
  }
  for (const p of s.others) ctx.send(p, request)
  if (isMajority(s.votes.length, s.servers)) becomeLeader(s, ctx)
}

export function onRequestVote(
  s: ServerState,
  from: NodeId,
  m: Extract<RaftMsg, { type: 'RequestVote' }>,
  rules: RaftRules,
  ctx: Ctx,
): void {
  observeTerm(s, m.term, ctx)
  const stable = ctx.stable.raft
  const voteGranted =
    m.term === stable.currentTerm &&
    (stable.votedFor === null || stable.votedFor === from) &&
    rules.candidateLogOk(m, stable.log)
  if (voteGranted) {
    stable.votedFor = from
    resetElectionTimer(s, ctx)
  }
  ctx.send(from, { type: 'RequestVoteReply', term: stable.currentTerm, voteGranted })
}

export function onRequestVoteReply(
  s: ServerState,
  from: NodeId,
  m: Extract<RaftMsg, { type: 'RequestVoteReply' }>,
  ctx: Ctx,
): void {
  observeTerm(s, m.term, ctx)
  if (s.role !== 'candidate' || m.term !== ctx.stable.raft.currentTerm || !m.voteGranted) return
  if (!s.votes.includes(from)) s.votes.push(from)
  if (isMajority(s.votes.length, s.servers)) becomeLeader(s, ctx)
}

/** "Upon election: send initial empty AppendEntries RPCs (heartbeat) to each server." */
function becomeLeader(s: ServerState, ctx: Ctx): void {
  const log = ctx.stable.raft.log
  s.role = 'leader'
  s.leader = ctx.self
  s.nextIndex.fill(lastIndex(log) + 1)
  s.matchIndex.fill(0)
  ctx.annotate(RAFT_LEADER, { term: ctx.stable.raft.currentTerm } satisfies TermNote)
  ctx.cancelTimer(ELECTION_TIMER)
  replicate(s, ctx)
}

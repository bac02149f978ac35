// Log replication (§5.3). Figure 2:
// - Leaders: if last log index >= nextIndex for a follower, send AppendEntries
//   with log entries starting at nextIndex; if successful, update nextIndex and
//   matchIndex for the follower; if it fails because of log inconsistency,
//   decrement nextIndex and retry. With nothing new, the same message is the
//   heartbeat, sent every heartbeatMs.
// - AppendEntries receiver: 1. reply false if term < currentTerm; 2. reply false
//   if the log has no entry at prevLogIndex whose term matches prevLogTerm; 3. if
//   an existing entry conflicts with a new one (same index, different terms),
//   delete it and all that follow it; 4. append any new entries not already in
//   the log; 5. if leaderCommit > commitIndex, set commitIndex = min(leaderCommit,
//   index of last new entry).
// Backing up: a failed reply carries the follower's last log index, so a leader
// skips at once to just past the end of a short log, then backs up one entry at a
// time over conflicting ones, as in the paper.
import type { NodeId } from '../../core/process'
import { commandDigest, RAFT_APPEND, type AppendNote } from './notes'
import { advanceCommitIndex, setCommitIndex } from './commit'
import { entriesFrom, lastIndex, termAt } from './log'
import type { RaftRules } from './rules'
import { HEARTBEAT_TIMER, type ServerState } from './state'
import { becomeFollower, observeTerm, resetElectionTimer } from './terms'
import type { Ctx, Entry, RaftMsg } from './types'

export function sendAppendEntries(s: ServerState, to: NodeId, ctx: Ctx): void {
  const { currentTerm, log } = ctx.stable.raft
  const prevLogIndex = s.nextIndex[to] - 1
  ctx.send(to, {
    type: 'AppendEntries',
    term: currentTerm,
    prevLogIndex,
    prevLogTerm: termAt(log, prevLogIndex) as number,
    entries: entriesFrom(log, prevLogIndex + 1),
    leaderCommit: s.commitIndex,
  })
}

/** Sends every follower what it lacks (a heartbeat if nothing), and rearms the heartbeat. */
export function replicate(s: ServerState, ctx: Ctx): void {
  for (const p of s.others) sendAppendEntries(s, p, ctx)
  ctx.setTimer(HEARTBEAT_TIMER, s.params.heartbeatMs)
}

/** Writes `entry` at `index`, dropping whatever was there and after it; notes the write. */
export function writeEntry(index: number, entry: Entry, ctx: Ctx): void {
  const log = ctx.stable.raft.log
  log.length = index - 1
  log.push(entry)
  ctx.annotate(RAFT_APPEND, {
    index,
    term: entry.term,
    digest: commandDigest(entry.command),
  } satisfies AppendNote)
}

export function onAppendEntries(
  s: ServerState,
  from: NodeId,
  m: Extract<RaftMsg, { type: 'AppendEntries' }>,
  ctx: Ctx,
): void {
  observeTerm(s, m.term, ctx)
  const stable = ctx.stable.raft
  const reply = (success: boolean, matchIndex: number) =>
    ctx.send(from, { type: 'AppendEntriesReply', term: stable.currentTerm, success, matchIndex })
  if (m.term < stable.currentTerm) return reply(false, lastIndex(stable.log))
  // The sender is the leader of our term (one per term): follow it.
  becomeFollower(s, from, ctx)
  resetElectionTimer(s, ctx)
  if (termAt(stable.log, m.prevLogIndex) !== m.prevLogTerm)
    return reply(false, lastIndex(stable.log))
  m.entries.forEach((entry, k) => {
    const index = m.prevLogIndex + 1 + k
    if (termAt(stable.log, index) !== entry.term) writeEntry(index, entry, ctx)
  })
  const lastNew = m.prevLogIndex + m.entries.length
  const commit = Math.min(m.leaderCommit, lastNew)
  if (commit > s.commitIndex) setCommitIndex(s, commit, ctx)
  reply(true, lastNew)
}

export function onAppendEntriesReply(
  s: ServerState,
  from: NodeId,
  m: Extract<RaftMsg, { type: 'AppendEntriesReply' }>,
  rules: RaftRules,
  ctx: Ctx,
): void {
  observeTerm(s, m.term, ctx)
  if (s.role !== 'leader' || m.term !== ctx.stable.raft.currentTerm) return
  if (m.success) {
    s.matchIndex[from] = Math.max(s.matchIndex[from], m.matchIndex)
    s.nextIndex[from] = Math.max(s.nextIndex[from], m.matchIndex + 1)
    return advanceCommitIndex(s, rules, ctx)
  }
  // Replies can arrive late or twice: never back up over entries known to match.
  const backedUp = Math.min(s.nextIndex[from] - 1, m.matchIndex + 1)
  s.nextIndex[from] = Math.max(s.matchIndex[from] + 1, backedUp)
  sendAppendEntries(s, from, ctx)
}

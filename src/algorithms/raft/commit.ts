// Commitment and application (§5.3, §5.4.2). Figure 2:
// - Leaders: if there exists an N such that N > commitIndex, a majority of
//   matchIndex[i] >= N, and log[N].term == currentTerm: set commitIndex = N.
//   (The last condition is the Figure 8 rule, rules.ts: an entry from an earlier
//   term is committed only indirectly, by an entry of the current term after it.)
// - All servers: if commitIndex > lastApplied, increment lastApplied and apply
//   log[lastApplied] to the state machine.
// - Leaders: respond to a client after its entry is applied. The leader that
//   took a request (the entry is of its term) answers it; a request taken by an
//   earlier leader is answered when its client retries (the session holds the
//   result).
// After a crash commitIndex and lastApplied restart from 0 and the store is
// empty: the server learns the commit index again (from the leader's
// leaderCommit, or by counting once it leads and commits an entry of its term)
// and re-applies the committed prefix from index 1, rebuilding the same store.
import { applyCommand } from './kv'
import { commandDigest, RAFT_APPLY, RAFT_COMMIT, type ApplyNote, type CommitNote } from './notes'
import { lastIndex, termAt } from './log'
import type { RaftRules } from './rules'
import { isMajority, type ServerState } from './state'
import type { Ctx } from './types'

export function setCommitIndex(s: ServerState, index: number, ctx: Ctx): void {
  const { log, currentTerm } = ctx.stable.raft
  const entry = log[index - 1]
  s.commitIndex = index
  ctx.annotate(RAFT_COMMIT, {
    index,
    term: entry.term,
    digest: commandDigest(entry.command),
    currentTerm,
  } satisfies CommitNote)
  applyCommitted(s, ctx)
}

export function advanceCommitIndex(s: ServerState, rules: RaftRules, ctx: Ctx): void {
  const { log, currentTerm } = ctx.stable.raft
  for (let n = lastIndex(log); n > s.commitIndex; n--) {
    if (!rules.mayCommitByCount(termAt(log, n) as number, currentTerm)) continue
    const replicas = 1 + s.others.filter((p) => s.matchIndex[p] >= n).length
    if (isMajority(replicas, s.servers)) return setCommitIndex(s, n, ctx)
  }
}

function applyCommitted(s: ServerState, ctx: Ctx): void {
  const { log, currentTerm } = ctx.stable.raft
  while (s.lastApplied < s.commitIndex) {
    s.lastApplied += 1
    const { term, command } = log[s.lastApplied - 1]
    const result = applyCommand(s.kv, command)
    ctx.annotate(RAFT_APPLY, { index: s.lastApplied, command } satisfies ApplyNote)
    if (s.role === 'leader' && term === currentTerm && result !== undefined)
      ctx.send(command.client, { type: 'ClientReply', seq: command.seq, ok: true, result })
  }
}

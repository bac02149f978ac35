// The two safety rules of Raft that are easiest to get wrong, kept apart so a
// test can build a broken Raft by replacing one (createRaft in raft.ts): the
// election restriction (§5.4.1) and the rule that a leader commits by counting
// replicas only entries of its own term (§5.4.2, Figure 8).
import { atLeastAsUpToDate } from './log'
import type { Entry } from './types'

export interface RaftRules {
  /** RequestVote receiver: may this server vote for a candidate whose log ends so? */
  candidateLogOk(
    candidate: { lastLogTerm: number; lastLogIndex: number },
    own: readonly Entry[],
  ): boolean
  /** Leader: may it commit an entry of `entryTerm` stored on a majority, in `currentTerm`? */
  mayCommitByCount(entryTerm: number, currentTerm: number): boolean
}

export const paperRules: RaftRules = {
  /** "candidate's log is at least as up-to-date as receiver's log" */
  candidateLogOk: atLeastAsUpToDate,
  /** "a majority of matchIndex[i] >= N, and log[N].term == currentTerm" */
  mayCommitByCount: (entryTerm, currentTerm) => entryTerm === currentTerm,
}

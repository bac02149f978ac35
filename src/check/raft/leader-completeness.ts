// Leader completeness (Raft, Figure 3): if a log entry is committed in a given
// term, then that entry will be present in the logs of the leaders for all
// higher-numbered terms. Logs are rebuilt from the 'raft.append' notes; an index
// counts as committed in term T from the first 'raft.commit' note covering it,
// made by a server in term T (the leader that commits it, or a follower that
// learns it, never earlier than the term it was really committed in). At each
// 'raft.leader' note of a term above T the new leader's log must hold that
// entry. A commit beyond the end of the committing server's log is flagged too.
import { RAFT_APPEND, RAFT_COMMIT, RAFT_LEADER } from '../../algorithms/raft/notes'
import type { AppendNote, CommitNote, TermNote } from '../../algorithms/raft/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, notesOf } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'
import { describeEntry, ServerLogs, type LoggedEntry } from './logs'

const NAME = 'leader-completeness'

interface Committed extends LoggedEntry {
  /** The term of the server whose note first covered it. */
  inTerm: number
  node: NodeId
  at: number
}

export const leaderCompletenessChecker: CheckerSpec = {
  name: NAME,
  description: 'An entry committed in a term is in the log of every leader of a later term',
  appliesTo: (meta) => meta.algorithm === 'raft',
  create(meta): Checker {
    const logs = new ServerLogs(meta.nodes.length)
    /** committed[k]: the entry committed at index k + 1. */
    const committed: Committed[] = []
    /** Highest index each server's commit notes covered since it last started. */
    const covered = new Array<number>(meta.nodes.length).fill(0)
    return {
      onEvent(e) {
        if (!isProcessEvent(e)) return undefined
        if (e.kind === 'start' || e.kind === 'recover') covered[e.node] = 0
        const out: Violation[] = []
        // Within one event a server writes, then commits; it never writes as it becomes leader.
        for (const note of notesOf<AppendNote>(e, RAFT_APPEND)) logs.write(e.node, note)
        for (const { index, currentTerm } of notesOf<CommitNote>(e, RAFT_COMMIT)) {
          for (let k = covered[e.node] + 1; k <= index; k++) {
            if (committed[k - 1] !== undefined) continue
            const entry = logs.entry(e.node, k)
            if (entry === undefined) {
              out.push({
                checker: NAME,
                at: e.i,
                message: `node ${e.node} commits index ${index} but its log ends at ${logs.length(e.node)}`,
              })
              break
            }
            committed[k - 1] = { ...entry, inTerm: currentTerm, node: e.node, at: e.i }
          }
          covered[e.node] = Math.max(covered[e.node], index)
        }
        for (const { term } of notesOf<TermNote>(e, RAFT_LEADER)) {
          const missing = committed.findIndex((c, k) => {
            if (c === undefined || c.inTerm >= term) return false
            const own = logs.entry(e.node, k + 1)
            return own?.term !== c.term || own.digest !== c.digest
          })
          if (missing < 0) continue
          const c = committed[missing]
          out.push({
            checker: NAME,
            at: e.i,
            message: `node ${e.node} becomes leader of term ${term} without the entry committed at index ${missing + 1} in term ${c.inTerm} (${describeEntry(c)}, event ${c.at}); its log holds ${describeEntry(logs.entry(e.node, missing + 1))} there`,
          })
        }
        return out.length > 0 ? out : undefined
      },
      finish: () => [],
    }
  },
}

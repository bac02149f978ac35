// Election safety (Raft, Figure 3): at most one leader can be elected in a
// given term. Read from the 'raft.leader' notes.
import { RAFT_LEADER, type TermNote } from '../../algorithms/raft/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, notesOf } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'

const NAME = 'election-safety'

export const electionSafetyChecker: CheckerSpec = {
  name: NAME,
  description: 'At most one leader is elected in each term',
  appliesTo: (meta) => meta.algorithm === 'raft',
  create(): Checker {
    const leaders = new Map<number, { node: NodeId; at: number }>()
    return {
      onEvent(e) {
        if (!isProcessEvent(e)) return undefined
        const out: Violation[] = []
        for (const { term } of notesOf<TermNote>(e, RAFT_LEADER)) {
          const first = leaders.get(term)
          if (first === undefined) leaders.set(term, { node: e.node, at: e.i })
          else if (first.node !== e.node)
            out.push({
              checker: NAME,
              at: e.i,
              message: `node ${e.node} becomes leader of term ${term}, which already elected node ${first.node} (event ${first.at})`,
            })
        }
        return out.length > 0 ? out : undefined
      },
      finish: () => [],
    }
  },
}

// Mutual exclusion: at no time are two nodes between their cs.enter and cs.exit.
// A crash ends the crashed node's stay (its critical section dies with it). The
// violation is flagged at the cs.enter event that overlaps another node's stay.
import { mutexAlgorithmNames } from '../../algorithms/mutex'
import { CS_ENTER, CS_EXIT } from '../../algorithms/mutex/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'

const NAME = 'mutual-exclusion'

export const mutualExclusionChecker: CheckerSpec = {
  name: NAME,
  description: 'At most one node is inside the critical section at any time',
  appliesTo: (meta) => mutexAlgorithmNames.has(meta.algorithm),
  create(): Checker {
    /** Nodes inside the critical section, with the event where each entered. */
    const inside = new Map<NodeId, number>()
    return {
      onEvent(e) {
        if (!isProcessEvent(e)) return undefined
        if (e.kind === 'crash') {
          inside.delete(e.node)
          return undefined
        }
        let out: Violation[] | undefined
        for (const note of e.notes ?? []) {
          if (note.kind === CS_EXIT) inside.delete(e.node)
          if (note.kind !== CS_ENTER) continue
          const others = [...inside].filter(([n]) => n !== e.node)
          if (others.length > 0)
            (out ??= []).push({
              checker: NAME,
              at: e.i,
              message: `node ${e.node} enters while ${others
                .map(([n, at]) => `node ${n} is inside (since event ${at})`)
                .join(' and ')}`,
            })
          inside.set(e.node, e.i)
        }
        return out
      },
      finish: () => [],
    }
  },
}

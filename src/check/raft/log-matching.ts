// Log matching (Raft, Figure 3): if two logs contain an entry with the same index
// and term, then the logs are identical in all entries up through that index.
// Checked in the form the proof uses, on every write ('raft.append'): the pair
// (index, term) names one entry, ever, and one entry before it. A leader creates
// at most one entry per index in its term and never changes its own log, so all
// writes of (index, term) must carry the same command and follow an entry of the
// same term; by induction on the index, equal pairs then mean equal prefixes.
// A write that leaves a gap in a log is flagged too.
import { RAFT_APPEND, type AppendNote } from '../../algorithms/raft/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, notesOf } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'
import { ServerLogs } from './logs'

const NAME = 'log-matching'

interface Seen {
  digest: string
  prevTerm: number
  node: NodeId
  at: number
}

export const logMatchingChecker: CheckerSpec = {
  name: NAME,
  description:
    'Two logs with an entry of the same index and term hold the same entries up to that index',
  appliesTo: (meta) => meta.algorithm === 'raft',
  create(meta): Checker {
    const logs = new ServerLogs(meta.nodes.length)
    const seen = new Map<string, Seen>()
    return {
      onEvent(e) {
        if (!isProcessEvent(e)) return undefined
        const out: Violation[] = []
        for (const note of notesOf<AppendNote>(e, RAFT_APPEND)) {
          const { index, term, digest } = note
          if (!logs.write(e.node, note)) {
            out.push({
              checker: NAME,
              at: e.i,
              message: `node ${e.node} writes index ${index} but its log ends at ${logs.length(e.node)}`,
            })
            continue
          }
          const prevTerm = logs.entry(e.node, index - 1)?.term ?? 0
          const key = `${index}:${term}`
          const first = seen.get(key)
          if (first === undefined) {
            seen.set(key, { digest, prevTerm, node: e.node, at: e.i })
            continue
          }
          const where = `node ${e.node}'s entry at index ${index}, term ${term}`
          const other = `node ${first.node}'s (event ${first.at})`
          if (first.digest !== digest)
            out.push({
              checker: NAME,
              at: e.i,
              message: `${where} holds command ${digest}, ${other} holds ${first.digest}`,
            })
          else if (first.prevTerm !== prevTerm)
            out.push({
              checker: NAME,
              at: e.i,
              message: `${where} follows an entry of term ${prevTerm}, ${other} one of term ${first.prevTerm}: the logs differ before index ${index}`,
            })
        }
        return out.length > 0 ? out : undefined
      },
      finish: () => [],
    }
  },
}

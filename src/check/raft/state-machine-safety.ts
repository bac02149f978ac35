// State machine safety (Raft, Figure 3): if a server has applied a log entry at
// a given index to its state machine, no other server will ever apply a
// different log entry for the same index. Read from the 'raft.apply' notes,
// across servers and across each server's incarnations (a recovered server
// applies its log again from index 1, and must apply the same commands). Each
// server applies in log order: index 1, 2, 3... since it last started.
import { commandDigest, RAFT_APPLY, type ApplyNote } from '../../algorithms/raft/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, notesOf } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'

const NAME = 'state-machine-safety'

export const stateMachineSafetyChecker: CheckerSpec = {
  name: NAME,
  description:
    'No two servers apply different commands at the same log index; each applies in log order',
  appliesTo: (meta) => meta.algorithm === 'raft',
  create(meta): Checker {
    /** applied[k]: the first application of index k + 1. */
    const applied: { digest: string; node: NodeId; at: number }[] = []
    const lastApplied = new Array<number>(meta.nodes.length).fill(0)
    return {
      onEvent(e) {
        if (!isProcessEvent(e)) return undefined
        if (e.kind === 'start' || e.kind === 'recover') lastApplied[e.node] = 0
        const out: Violation[] = []
        for (const { index, command } of notesOf<ApplyNote>(e, RAFT_APPLY)) {
          if (index !== lastApplied[e.node] + 1)
            out.push({
              checker: NAME,
              at: e.i,
              message: `node ${e.node} applies index ${index} after index ${lastApplied[e.node]}`,
            })
          lastApplied[e.node] = index
          const digest = commandDigest(command)
          const first = applied[index - 1]
          if (first === undefined) applied[index - 1] = { digest, node: e.node, at: e.i }
          else if (first.digest !== digest)
            out.push({
              checker: NAME,
              at: e.i,
              message: `node ${e.node} applies ${JSON.stringify(command)} (${digest}) at index ${index}, where node ${first.node} applied command ${first.digest} (event ${first.at})`,
            })
        }
        return out.length > 0 ? out : undefined
      },
      finish: () => [],
    }
  },
}

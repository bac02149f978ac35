// Leader agreement: once the run is quiet, every live process takes the same
// coordinator, the highest live id (both bully and the ring election elect the
// largest id among the processes they reach). Decided in finish(), on runs
// whose last stretch is long enough without faults (crash, recovery,
// partition, heal, or a message lost or cut): at least the settle time derived
// from the parameters in election/notes.ts, with the largest delay the trace
// shows. Shorter quiet stretches are not judged. Each violation is placed at
// the process's last 'leader' note (or the run as a whole if it has none).
import { electionAlgorithmNames } from '../../algorithms/election'
import { LEADER, settleTime, type LeaderNote } from '../../algorithms/election/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, timeOf, notesOf } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'
import { InFlight } from '../detect/in-flight'
import { Liveness } from '../detect/liveness'

const NAME = 'leader-agreement'

export const leaderAgreementChecker: CheckerSpec = {
  name: NAME,
  description:
    'Once the run is quiet, every live process takes the highest live process as coordinator',
  appliesTo: (meta) => electionAlgorithmNames.has(meta.algorithm),
  create(meta): Checker {
    const n = meta.nodes.length
    const live = new Liveness(n)
    const wire = new InFlight(n)
    /** Each node's coordinator since its latest start or recovery, and the note's position. */
    const leader: ({ leader: NodeId; at: number } | undefined)[] = new Array(n)
    let lastFault = 0
    let end = 0
    return {
      onEvent(e) {
        const t = timeOf(e) ?? 0
        end = Math.max(end, t)
        wire.observe(e)
        if (live.observe(e) && isProcessEvent(e)) {
          leader[e.node] = undefined
          if (e.kind !== 'start') lastFault = t
        }
        if (
          e.kind === 'partition' ||
          e.kind === 'heal' ||
          (e.kind === 'drop' && e.reason !== 'crashed')
        )
          lastFault = t
        if (isProcessEvent(e))
          for (const note of notesOf<LeaderNote>(e, LEADER))
            leader[e.node] = { leader: note.leader, at: e.i }
        return undefined
      },
      finish(): Violation[] {
        const settle = settleTime(meta.algorithm, meta.params, n, wire.maxDelay)
        if (settle === undefined || end - lastFault < settle) return []
        const up = live.up.flatMap((u, k) => (u ? [k] : []))
        const highest = Math.max(...up)
        const out: Violation[] = []
        for (const q of up) {
          const l = leader[q]
          if (l?.leader === highest) continue
          out.push({
            checker: NAME,
            at: l?.at ?? -1,
            message: `${l === undefined ? `node ${q} has no coordinator` : `node ${q} takes node ${l.leader} as coordinator`} at the end, not node ${highest}, the highest live process (quiet for ${end - lastFault} ms since the last fault, settle time ${Math.round(settle)} ms)`,
          })
        }
        return out
      },
    }
  },
}

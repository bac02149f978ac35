// One leader per election round. Every 'leader' note that names a round (the
// winner's announcement and each adoption of it) must name the same process:
// a round elects at most one coordinator. For the ring election this holds
// whatever the detector says: a round is one message going round the ring, and
// only the process whose own id comes home is elected in it.
// For bully a round is one process's own election, so the property the course
// notes state is about who may win it: the coordinator is the highest process
// alive. Checked at each announcement (a 'leader' note naming the node that
// makes it): every process with a higher id must have been down at some moment
// since that round's 'election.start'. With reliable links and delays below
// A/2 a higher process up throughout would have answered in time; so two
// processes both announce while both are up only if that timeout (the
// election's own failure detector) is wrong.
import { electionAlgorithmNames } from '../../algorithms/election'
import {
  ELECTION_START,
  LEADER,
  type ElectionStartNote,
  type LeaderNote,
  type Round,
} from '../../algorithms/election/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, notesOf } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'
import { Liveness } from '../detect/liveness'

const NAME = 'one-leader-per-round'

export const oneLeaderPerRoundChecker: CheckerSpec = {
  name: NAME,
  description:
    'Each election round elects one coordinator; in bully, no process with a higher id stayed up throughout the election it wins',
  appliesTo: (meta) => electionAlgorithmNames.has(meta.algorithm),
  create(meta): Checker {
    const bully = meta.algorithm === 'bully'
    const live = new Liveness(meta.nodes.length)
    const started = new Map<Round, number>()
    const elected = new Map<Round, { leader: NodeId; at: number }>()
    return {
      onEvent(e) {
        live.observe(e)
        if (!isProcessEvent(e)) return undefined
        for (const { round } of notesOf<ElectionStartNote>(e, ELECTION_START))
          started.set(round, e.i)
        const out: Violation[] = []
        for (const { leader, round } of notesOf<LeaderNote>(e, LEADER)) {
          if (round === undefined) continue
          const first = elected.get(round)
          if (first === undefined) elected.set(round, { leader, at: e.i })
          else if (first.leader !== leader)
            out.push({
              checker: NAME,
              at: e.i,
              message: `node ${e.node} takes node ${leader} as coordinator in round ${round}, which elected node ${first.leader} (event ${first.at})`,
            })
          const start = started.get(round)
          if (!bully || leader !== e.node || start === undefined) continue
          for (let j = leader + 1; j < meta.nodes.length; j++)
            if (live.upSinceEvent(j, start))
              out.push({
                checker: NAME,
                at: e.i,
                message: `node ${leader} announces itself coordinator (round ${round}), but node ${j}, higher, has been up since before that election started (event ${start})`,
              })
        }
        return out.length > 0 ? out : undefined
      },
      finish: () => [],
    }
  },
}

// Completeness of the failure detector: every process that crashes and stays
// crashed is eventually suspected by every process that is up. Decided in
// finish(), for each crashed process p and live observer q, once the run has
// gone on long enough to demand it: q must suspect p at the end if the end came
// more than P + T (detect/notes.ts, detectionBound) after the latest of p's
// crash, q's own start or recovery, and the last message q received from p.
// Clocks may run up to 1000 ppm off true rate. Each violation is placed at p's
// crash.
import { detectingAlgorithmNames } from '../../algorithms/detect'
import {
  detectionBound,
  detectorSettings,
  RESTORE,
  SUSPECT,
  type SuspicionNote,
} from '../../algorithms/detect/notes'
import { isProcessEvent, timeOf, notesOf } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'
import { Liveness } from './liveness'

const NAME = 'detector-completeness'

/** Timers run on local clocks: allow for clocks this far off true rate. */
const RATE_TOLERANCE = 1e-3

export const detectorCompletenessChecker: CheckerSpec = {
  name: NAME,
  description:
    'Every crashed process that stays crashed is suspected by every live process within P + T',
  appliesTo: (meta) =>
    detectingAlgorithmNames.has(meta.algorithm) && detectorSettings(meta.params) !== undefined,
  create(meta): Checker {
    const bound = detectionBound(detectorSettings(meta.params)!) * (1 + RATE_TOLERANCE)
    const n = meta.nodes.length
    const live = new Liveness(n)
    const square = () => Array.from({ length: n }, () => new Array<number>(n).fill(-Infinity))
    /** suspects[q][p]: whether q suspects p now. */
    const suspects = Array.from({ length: n }, () => new Array<boolean>(n).fill(false))
    /** heard[q][p]: when q last received a message from p. */
    const heard = square()
    const crashEvent = new Array<number>(n).fill(-1)
    let end = 0
    return {
      onEvent(e) {
        const t = timeOf(e)
        if (t !== undefined) end = Math.max(end, t)
        if (live.observe(e) && isProcessEvent(e)) {
          suspects[e.node].fill(false)
          if (e.kind === 'crash') crashEvent[e.node] = e.i
        }
        if (!isProcessEvent(e)) return undefined
        if (e.kind === 'receive') heard[e.node][e.from] = t ?? 0
        for (const { peer } of notesOf<SuspicionNote>(e, SUSPECT)) suspects[e.node][peer] = true
        for (const { peer } of notesOf<SuspicionNote>(e, RESTORE)) suspects[e.node][peer] = false
        return undefined
      },
      finish(): Violation[] {
        const out: Violation[] = []
        for (let p = 0; p < n; p++) {
          if (live.up[p] || crashEvent[p] < 0) continue
          for (let q = 0; q < n; q++) {
            if (q === p || !live.up[q] || suspects[q][p]) continue
            const from = Math.max(live.since[p], live.since[q], heard[q][p])
            if (end - from <= bound) continue
            out.push({
              checker: NAME,
              at: crashEvent[p],
              message: `node ${q} does not suspect node ${p}, crashed at ${live.since[p]} ms, when the run ends at ${end} ms (due by ${from + bound} ms)`,
            })
          }
        }
        return out
      },
    }
  },
}

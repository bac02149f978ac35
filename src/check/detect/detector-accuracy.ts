// Accuracy of the failure detector: no live process is suspected, on runs that
// meet the detector's assumptions. Within them (no loss, no partition, every
// message delay below the bound derived in detect/notes.ts: T - P for
// heartbeats, T/2 for pings) a process that has been up for a whole timeout T
// has had a heartbeat or an ack arrive within that timeout, so suspecting it is
// a bug. Such a suspicion is a false suspicion (the metric in lab/metrics/detect
// counts them on any run). Suspecting a process that recovered less than T ago
// is not: its first heartbeat or ack may still be on its way.
// The checker follows the assumptions as the trace unfolds: a loss or partition
// drop, a partition, a delivered copy as late as the bound, or a copy still on
// the wire that long when a suspicion is made, ends the run's scope: from there
// on nothing is flagged. A suspicion flagged before had only in-scope causes.
// Clocks are taken to run at true rate (timers are armed on local clocks).
import { detectingAlgorithmNames } from '../../algorithms/detect'
import {
  accuracyDelayBound,
  detectorSettings,
  SUSPECT,
  type SuspicionNote,
} from '../../algorithms/detect/notes'
import { isProcessEvent, timeOf, notesOf } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'
import { InFlight } from './in-flight'
import { Liveness } from './liveness'

const NAME = 'detector-accuracy'

/** Whether a suspicion of `peer` at `time` is false: it has been up for the whole timeout. */
export function isFalseSuspicion(
  live: Liveness,
  peer: number,
  time: number,
  timeoutMs: number,
): boolean {
  return live.upSince(peer, time - timeoutMs)
}

export const detectorAccuracyChecker: CheckerSpec = {
  name: NAME,
  description:
    'No process up for a whole timeout is suspected (checked while the run has no loss, no partition and every delay below the detector bound)',
  appliesTo: (meta) =>
    detectingAlgorithmNames.has(meta.algorithm) && detectorSettings(meta.params) !== undefined,
  create(meta): Checker {
    const settings = detectorSettings(meta.params)!
    const bound = accuracyDelayBound(settings)
    const n = meta.nodes.length
    const live = new Liveness(n)
    const wire = new InFlight(n)
    let inScope = true
    return {
      onEvent(e) {
        if (!inScope) return undefined
        live.observe(e)
        const delay = wire.observe(e)
        if (
          e.kind === 'partition' ||
          (e.kind === 'drop' && e.reason !== 'crashed') ||
          (delay !== undefined && delay >= bound)
        )
          inScope = false
        if (!inScope || !isProcessEvent(e)) return undefined
        const time = timeOf(e) ?? 0
        const out: Violation[] = []
        for (const { peer } of notesOf<SuspicionNote>(e, SUSPECT)) {
          if (!isFalseSuspicion(live, peer, time, settings.timeoutMs)) continue
          if (wire.oldest() <= time - bound) {
            inScope = false
            return undefined
          }
          out.push({
            checker: NAME,
            at: e.i,
            message: `node ${e.node} suspects node ${peer}, up since ${live.since[peer]} ms (over the ${settings.timeoutMs} ms timeout), with no loss, no partition and every delay below ${bound} ms`,
          })
        }
        return out.length > 0 ? out : undefined
      },
      finish: () => [],
    }
  },
}

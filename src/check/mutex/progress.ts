// Progress: every request for the critical section is eventually followed by the
// requesting node's cs.enter.
//
// The textbook algorithms guarantee this only when no node crashes, no link is
// cut and no message is lost. The checker still reports a stalled request in a
// run with such faults, and names the faults it saw in the trace (crashes,
// partitions, drops): showing that stall is the point of the crash scenarios.
// A node's own crash forgets its request, so that request is not judged.
//
// Which requests are judged: a run stops at an arbitrary moment, and a request
// made just before it may rightly still be waiting. So the checker judges only
// requests made in the first 90% of the run's span, measured from the first to
// the last event of the trace (true time; a live trace's local clock readings).
// The last tenth is the grace period. Scenarios and tests stop their workload
// well before the end (workload.until), so every request they make is judged.
// (A run that falls silent right after a stalled request leaves that request in
// its own grace period: the crash scenarios keep later activity for this.)
// Decided in finish(); each violation is placed at the unanswered request.
import { mutexAlgorithmNames } from '../../algorithms/mutex'
import { CS_ENTER, CS_REQUEST } from '../../algorithms/mutex/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, timeOf } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'

const NAME = 'progress'

/** The share of the run, from its first event, whose requests are judged. */
export const JUDGED_SHARE = 0.9

const ms = (t: number) => `${Math.round(t * 10) / 10} ms`

export const progressChecker: CheckerSpec = {
  name: NAME,
  description:
    'Every request for the critical section (but those in the last 10% of the run) is followed by that node entering it',
  appliesTo: (meta) => mutexAlgorithmNames.has(meta.algorithm),
  create(): Checker {
    const waiting = new Map<NodeId, { at: number; time: number }>()
    let first: number | undefined
    let last = 0
    const crashes: string[] = []
    let partitions = 0
    const drops = new Map<string, number>()
    return {
      onEvent(e) {
        const t = timeOf(e)
        if (t !== undefined) {
          first ??= t
          last = Math.max(last, t)
        }
        if (e.kind === 'drop') drops.set(e.reason, (drops.get(e.reason) ?? 0) + 1)
        if (e.kind === 'partition') partitions += 1
        if (!isProcessEvent(e)) return undefined
        if (e.kind === 'crash') {
          waiting.delete(e.node)
          crashes.push(`node ${e.node} crashed at ${ms(t ?? 0)}`)
        }
        for (const note of e.notes ?? []) {
          if (note.kind === CS_REQUEST) waiting.set(e.node, { at: e.i, time: t ?? 0 })
          if (note.kind === CS_ENTER) waiting.delete(e.node)
        }
        return undefined
      },
      finish(): Violation[] {
        if (first === undefined) return []
        const cutoff = first + JUDGED_SHARE * (last - first)
        const faults = [
          ...crashes,
          ...(partitions > 0 ? [`${partitions} partition${partitions > 1 ? 's' : ''}`] : []),
          ...[...drops].map(([reason, k]) => `${k} message${k > 1 ? 's' : ''} dropped (${reason})`),
        ]
        const why =
          faults.length > 0
            ? `; faults the algorithm does not claim to survive: ${faults.join(', ')}`
            : ''
        return [...waiting]
          .filter(([, w]) => w.time <= cutoff)
          .map(([node, w]) => ({
            checker: NAME,
            at: w.at,
            message: `node ${node} asked for the critical section at ${ms(w.time)} and had not entered by the last event, at ${ms(last)}${why}`,
          }))
      },
    }
  },
}

// Clock monotonicity: a node's wall clock may go back (a step to a clock that was
// ahead, an inserted leap second), and that is no bug in itself. The bug is in a
// consumer that assumed it never does: one that orders records, or measures an
// interval, by wall-clock timestamps. Such a consumer announces each timestamp it
// takes with a `wall.stamp` {ts} note (sync/notes.ts: every sync algorithm has an
// optional timestamping consumer, params.stampMs); this checker flags a stamp
// earlier than one the same node took before, and names the backward jump that
// caused it: a `clock.step` with a negative delta, or a local reading below the
// node's previous event's (a leap second, or a step made in an earlier handler).
// A slewed clock never goes back (its rate stays positive), so it never trips this.
import { syncAlgorithmNames } from '../../algorithms/sync'
import { WALL_STAMP, type WallStamp } from '../../algorithms/sync/notes'
import { isProcessEvent } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'

const NAME = 'clock-monotonicity'

interface BackJump {
  at: number
  byMs: number
  how: string
}

export const clockMonotonicityChecker: CheckerSpec = {
  name: NAME,
  description:
    'Wall-clock timestamps a consumer takes as ordered (wall.stamp) never go back on a node: a backward step or leap second breaks them, a slew does not',
  appliesTo: (meta) => syncAlgorithmNames.has(meta.algorithm),
  create(meta): Checker {
    const n = meta.nodes.length
    const lastLocal = new Array<number | undefined>(n)
    const lastStamp = new Array<{ ts: number; at: number } | undefined>(n)
    const lastBack = new Array<BackJump | undefined>(n)
    /** Whether the node's previous event stepped its clock back (its next reading shows it). */
    const stepped = new Array<boolean>(n).fill(false)
    return {
      onEvent(e) {
        if (!isProcessEvent(e)) return undefined
        const prev = lastLocal[e.node]
        if (prev !== undefined && e.local < prev && !stepped[e.node])
          lastBack[e.node] = {
            at: e.i,
            byMs: prev - e.local,
            how: 'a leap second or an unannounced step',
          }
        lastLocal[e.node] = e.local
        stepped[e.node] = false
        const out: Violation[] = []
        for (const note of e.notes ?? []) {
          if (note.kind === 'clock.step' && (note.data as { deltaMs: number }).deltaMs < 0) {
            const byMs = -(note.data as { deltaMs: number }).deltaMs
            lastBack[e.node] = { at: e.i, byMs, how: 'clock.step' }
            stepped[e.node] = true
          }
          if (note.kind !== WALL_STAMP) continue
          const { ts } = note.data as unknown as WallStamp
          const last = lastStamp[e.node]
          if (last !== undefined && ts < last.ts) {
            const back = lastBack[e.node]
            const cause =
              back === undefined
                ? ''
                : `; the clock went back ${fmt(back.byMs)} ms at event ${back.at} (${back.how})`
            out.push({
              checker: NAME,
              at: e.i,
              message: `node ${e.node}: wall-clock stamp ${fmt(ts)} is ${fmt(last.ts - ts)} ms earlier than the one taken at event ${last.at}${cause}: order by a monotonic clock, or slew`,
            })
          }
          lastStamp[e.node] = { ts, at: e.i }
        }
        return out.length > 0 ? out : undefined
      },
      finish: () => [],
    }
  },
}

function fmt(ms: number): string {
  return ms.toFixed(3).replace(/\.?0+$/, '')
}

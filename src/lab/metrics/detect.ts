// Failure-detector metrics read from a trace: how long each live process took to
// suspect each crash (detection time), and which suspicions were false.
//
// Detection: for every crash of p at time c and every process q up at c, the
// first 'suspect' {peer: p} q makes after c, while p stays down and q up. The
// latency is 0 if q already suspected p at c; a detection is left open (no
// `suspectedAt`) if p recovered, or the run ended, first; it is dropped if q
// crashed first.
// False suspicion: a 'suspect' of a process that had been up for the whole
// timeout before it (detector-accuracy's definition: a process that recovered
// less than a timeout ago may rightly still be suspected).
import {
  detectorSettings,
  RESTORE,
  SUSPECT,
  type SuspicionNote,
} from '../../algorithms/detect/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, type Trace, timeOf, notesOf } from '../../core/trace'
import { isFalseSuspicion } from '../../check/detect/detector-accuracy'
import { Liveness } from '../../check/detect/liveness'

export interface Detection {
  crashed: NodeId
  observer: NodeId
  /** Trace position of the crash. */
  crash: number
  crashTime: number
  /** When the observer suspected the crashed process; absent if it never did. */
  suspectedAt?: number
  latencyMs?: number
}

export interface FalseSuspicion {
  /** Trace position of the event carrying the suspicion. */
  at: number
  time: number
  observer: NodeId
  suspected: NodeId
}

export interface DetectMetrics {
  detections: Detection[]
  falseSuspicions: FalseSuspicion[]
}

export function detectMetrics(trace: Pick<Trace, 'meta' | 'events'>): DetectMetrics {
  const settings = detectorSettings(trace.meta.params)
  if (settings === undefined)
    throw new Error(`detectMetrics: ${trace.meta.algorithm} runs no failure detector`)
  const n = trace.meta.nodes.length
  const live = new Liveness(n)
  const suspects = Array.from({ length: n }, () => new Array<boolean>(n).fill(false))
  /** Open detections by crashed process, then observer. */
  const open = new Map<NodeId, Map<NodeId, Detection>>()
  const detections: Detection[] = []
  const falseSuspicions: FalseSuspicion[] = []
  for (const e of trace.events) {
    if (!isProcessEvent(e)) continue
    const time = timeOf(e) ?? 0
    if (live.observe(e)) {
      suspects[e.node].fill(false)
      // An observer that crashes no longer watches; one that was down at a crash never did.
      for (const watchers of open.values()) watchers.delete(e.node)
      if (e.kind === 'recover') {
        detections.push(...(open.get(e.node)?.values() ?? []))
        open.delete(e.node)
      }
      if (e.kind === 'crash') {
        const watchers = new Map<NodeId, Detection>()
        for (let q = 0; q < n; q++) {
          if (q === e.node || !live.up[q]) continue
          const d: Detection = { crashed: e.node, observer: q, crash: e.i, crashTime: time }
          if (suspects[q][e.node]) detections.push({ ...d, suspectedAt: time, latencyMs: 0 })
          else watchers.set(q, d)
        }
        open.set(e.node, watchers)
      }
    }
    for (const { peer } of notesOf<SuspicionNote>(e, RESTORE)) suspects[e.node][peer] = false
    for (const { peer } of notesOf<SuspicionNote>(e, SUSPECT)) {
      suspects[e.node][peer] = true
      if (isFalseSuspicion(live, peer, time, settings.timeoutMs))
        falseSuspicions.push({ at: e.i, time, observer: e.node, suspected: peer })
      const d = open.get(peer)?.get(e.node)
      if (d === undefined) continue
      open.get(peer)?.delete(e.node)
      detections.push({ ...d, suspectedAt: time, latencyMs: time - d.crashTime })
    }
  }
  for (const watchers of open.values()) detections.push(...watchers.values())
  return { detections, falseSuspicions }
}

// Clock-synchronization metrics read from a simulated trace, where every process
// event carries both the node's local reading and true time, so each clock's true
// offset (local − true) is known at each of its events:
// - the clock samples the algorithms annotated, with their actual error (the
//   estimate minus the true offset; for a sample relative to a peer, minus the
//   difference of the two clocks' true offsets at that instant);
// - each node's offset over time, against true time (external synchronization:
//   Cristian, NTP) or against the ensemble's mean (internal: Berkeley);
// - percentiles, and the convergence time: when the error enters a band and
//   stays in it until the end of the run.
import { SAMPLE, type ClockSample } from '../../algorithms/sync/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, notesOf, type TraceEvent } from '../../core/trace'

export interface SampleRow {
  node: NodeId
  /** True time of the event carrying the sample, ms. */
  time: number
  local: number
  /** The clock's true offset, local − true, ms. */
  trueOffset: number
  estimate: number
  error: number
  source?: number | string
  peer?: NodeId
}

/** Every clock sample of a simulated trace, in trace order. */
export function clockSamples(events: Iterable<TraceEvent>): SampleRow[] {
  const rows: SampleRow[] = []
  for (const e of events) {
    if (!isProcessEvent(e) || e.time === undefined) continue
    for (const s of notesOf<ClockSample>(e, SAMPLE))
      rows.push({
        node: e.node,
        time: e.time,
        local: e.local,
        trueOffset: e.local - e.time,
        estimate: s.offset,
        error: s.error,
        ...(s.source !== undefined ? { source: s.source } : {}),
        ...(s.peer !== undefined ? { peer: s.peer } : {}),
      })
  }
  return rows
}

/**
 * Each node's true offset at its events, as (time, offset) in time order; between two
 * events a clock runs linearly (unless its discipline or wander changed it in between), so
 * offsetAt interpolates.
 */
export class OffsetTracks {
  private readonly tracks: [number, number][][]

  constructor(nodeCount: number, events: Iterable<TraceEvent>) {
    this.tracks = Array.from({ length: nodeCount }, () => [])
    for (const e of events)
      if (isProcessEvent(e) && e.time !== undefined)
        this.tracks[e.node].push([e.time, e.local - e.time])
  }

  track(node: NodeId): readonly [number, number][] {
    return this.tracks[node]
  }

  /** The node's true offset at true time t (the nearest event's outside its track). */
  offsetAt(node: NodeId, t: number): number | undefined {
    const tr = this.tracks[node]
    if (tr.length === 0) return undefined
    let lo = 0
    let hi = tr.length - 1
    if (t <= tr[lo][0]) return tr[lo][1]
    if (t >= tr[hi][0]) return tr[hi][1]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1
      if (tr[mid][0] <= t) lo = mid
      else hi = mid
    }
    const [t0, o0] = tr[lo]
    const [t1, o1] = tr[hi]
    return t1 === t0 ? o1 : o0 + ((o1 - o0) * (t - t0)) / (t1 - t0)
  }
}

/** A sample's actual error: its estimate minus the true offset it estimates. */
export function sampleError(row: SampleRow, tracks: OffsetTracks): number | undefined {
  if (row.peer === undefined) return row.estimate - row.trueOffset
  const peer = tracks.offsetAt(row.peer, row.time)
  return peer === undefined ? undefined : row.estimate - (row.trueOffset - peer)
}

/** A series of (true time, error) points. */
export type Series = [number, number][]

/** Each listed node's offset from true time at its events. */
export function externalErrors(tracks: OffsetTracks, nodes: readonly NodeId[]): Series[] {
  return nodes.map((n) => [...tracks.track(n)])
}

/** Each listed node's offset from the mean offset of all `members` at the same instant. */
export function ensembleErrors(
  tracks: OffsetTracks,
  nodes: readonly NodeId[],
  members: readonly NodeId[],
): Series[] {
  return nodes.map((n) =>
    tracks.track(n).map(([t, o]): [number, number] => {
      const all = members.map((m) => tracks.offsetAt(m, t) ?? 0)
      return [t, o - all.reduce((a, b) => a + b, 0) / all.length]
    }),
  )
}

/**
 * When the series enters |error| ≤ band and stays there to its end (true time, ms); the
 * series' start if it always was, undefined if its last point is outside.
 */
export function convergenceTime(series: Series, band: number): number | undefined {
  let since: number | undefined
  for (const [t, err] of series) {
    if (Math.abs(err) > band) since = undefined
    else since ??= t
  }
  return since
}

export interface Spread {
  p50: number
  p95: number
  max: number
  count: number
}

/** Percentiles of |x| (nearest rank). */
export function spread(values: readonly number[]): Spread {
  const abs = values.map(Math.abs).sort((a, b) => a - b)
  const at = (p: number) => (abs.length === 0 ? NaN : abs[Math.ceil(p * abs.length) - 1])
  return { p50: at(0.5), p95: at(0.95), max: at(1), count: abs.length }
}

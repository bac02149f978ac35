// Live clock sync across the lab's peers, read from a (merged, possibly partial) live trace:
// each node's clock samples (the `clock.sample` notes every sync algorithm makes: the offset
// it measured against its source), its drift (the frequency correction NTP settles on, else
// the slope of its offsets with the steps and slews undone), and the stratum hierarchy. A live run
// has no true time, so everything here is what the nodes measured, not an oracle's view.
// Strata: a node that read an external reference (the live driver's `clock.reference`
// note, on a reference peer) has that reference's stratum + 1; a node that synchronized to
// node k (NTP's system peer, or the server a Cristian sample came from) has k's + 1.
import { SAMPLE, type ClockSample } from '../algorithms/sync/notes'
import { isProcessEvent, notesOf, type TraceEvent } from '../core/trace'
import type { LanSyncNode, LanSyncView } from './api-types'

/** The live driver's note when a node read its external reference (live-driver.ts). */
export const REFERENCE_NOTE = 'clock.reference'
const NTP_UPDATE = 'ntp.update'
const FREQUENCY = 'clock.frequency'
const STEP = 'clock.step'
const SLEW = 'clock.slew'
/** How fast a live node's lab clock slews (LabClock's default policy), ppm. */
export const LIVE_SLEW_PPM = 500
/** Samples the drift estimate fits a line through (the newest). */
export const DRIFT_WINDOW = 20

/** Points kept per series (the newest): enough for a chart, bounded for the wire. */
export const MAX_POINTS = 600

interface NodeAcc {
  offsets: [number, number][]
  errors: number[]
  drift: [number, number][]
  /** The clock's free-running offset at each sample: measured, minus the corrections made. */
  raw: [number, number, number][]
  /** Corrections applied so far (steps, and slews finished or replaced), ms... */
  corrected: number
  /** ...and the slew under way: its amount and its start (local ms). */
  slew?: { deltaMs: number; at: number }
  parent?: number
  reference?: { stratum: number; source: string }
  samples: number
  /** The frequency correction in force (ppm), when the algorithm adjusts frequency. */
  freq?: number
}

/**
 * The sync view of a live trace. `t0` is subtracted from local readings (ms) so times are
 * seconds since the run's start; `names` are the nodes' peer names.
 */
export function syncView(
  events: Iterable<TraceEvent>,
  names: readonly string[],
  t0: number,
): LanSyncView {
  const acc: NodeAcc[] = names.map(() => ({
    offsets: [],
    errors: [],
    drift: [],
    raw: [],
    corrected: 0,
    samples: 0,
  }))
  for (const e of events) {
    if (!isProcessEvent(e) || e.notes === undefined) continue
    const a = acc[e.node]
    if (a === undefined) continue
    const t = (e.local - t0) / 1000
    for (const r of notesOf<{ stratum: number; source: string }>(e, REFERENCE_NOTE))
      if (typeof r?.stratum === 'number') a.reference = { stratum: r.stratum, source: r.source }
    for (const u of notesOf<{ systemPeer?: number }>(e, NTP_UPDATE))
      if (typeof u?.systemPeer === 'number') a.parent = u.systemPeer
    for (const f of notesOf<{ ppm?: number }>(e, FREQUENCY))
      if (typeof f?.ppm === 'number') {
        // The correction cancels the oscillator's frequency error: the drift is its opposite.
        a.freq = f.ppm
        a.drift.push([t, -f.ppm])
      }
    // In the order they were made: a sample, then the correction it led to.
    for (const n of e.notes) {
      const d = n.data as { deltaMs?: number } | undefined
      if (n.kind === STEP && typeof d?.deltaMs === 'number') a.corrected += d.deltaMs
      if (n.kind === SLEW && typeof d?.deltaMs === 'number') {
        // A new slew replaces what is left of the one under way (disciplined-clock.ts).
        a.corrected += slewed(a.slew, e.local)
        a.slew = { deltaMs: d.deltaMs, at: e.local }
      }
      if (n.kind !== SAMPLE) continue
      const s = n.data as ClockSample | undefined
      if (typeof s?.offset !== 'number') continue
      a.samples++
      a.offsets.push([t, s.offset])
      a.errors.push(s.error)
      if (s.peer === undefined) {
        a.raw.push([t, s.offset - a.corrected - slewed(a.slew, e.local), s.error])
        const ppm = a.freq === undefined ? slopePpm(a.raw.slice(-DRIFT_WINDOW)) : undefined
        if (ppm !== undefined) a.drift.push([t, ppm])
      }
      if (typeof s.source === 'number' && s.peer === undefined && a.parent === undefined)
        a.parent = s.source
    }
  }
  // A node's latest system peer wins over the first server it sampled (NTP re-selects).
  const strata = new Array<number | undefined>(names.length).fill(undefined)
  for (const [k, a] of acc.entries()) if (a.reference) strata[k] = a.reference.stratum
  for (let round = 0; round < names.length; round++)
    for (const [k, a] of acc.entries()) {
      if (strata[k] !== undefined || a.parent === undefined) continue
      const up = strata[a.parent]
      if (up !== undefined) strata[k] = up + 1
    }
  const nodes: LanSyncNode[] = acc.map((a, k) => ({
    node: k,
    name: names[k],
    samples: a.samples,
    offsets: a.offsets.slice(-MAX_POINTS),
    drift: a.drift.slice(-MAX_POINTS),
    ...(a.offsets.length > 0 ? { offsetMs: a.offsets[a.offsets.length - 1][1] } : {}),
    ...(a.errors.length > 0 ? { errorMs: a.errors[a.errors.length - 1] } : {}),
    ...(a.drift.length > 0 ? { driftPpm: a.drift[a.drift.length - 1][1] } : {}),
    ...(a.parent !== undefined && !a.reference ? { parent: a.parent } : {}),
    ...(strata[k] !== undefined ? { stratum: strata[k] } : {}),
    ...(a.reference ? { reference: a.reference.source } : {}),
  }))
  return { nodes, hasReference: acc.some((a) => a.reference !== undefined) }
}

/** How much of a slew the clock has made by local time `now`, ms. */
function slewed(slew: { deltaMs: number; at: number } | undefined, now: number): number {
  if (slew === undefined) return 0
  const done = Math.max(0, now - slew.at) * LIVE_SLEW_PPM * 1e-6
  return Math.sign(slew.deltaMs) * Math.min(Math.abs(slew.deltaMs), done)
}

/**
 * Drift from the free-running offsets (each sample minus the corrections the clock had made
 * by then): the least-squares slope, in ppm, once the points span at least a second. Each
 * point (seconds, ms, error bound ms) weighs 1 / error², so a sample the algorithm itself
 * says is poor (a slow round trip) barely counts.
 */
export function slopePpm(points: readonly [number, number, number?][]): number | undefined {
  if (points.length < 3 || points[points.length - 1][0] - points[0][0] < 1) return undefined
  const w = points.map(([, , err]) => 1 / Math.max(err ?? 1, 0.01) ** 2)
  const sw = w.reduce((a, b) => a + b, 0)
  const mx = points.reduce((a, [x], k) => a + w[k] * x, 0) / sw
  const my = points.reduce((a, [, y], k) => a + w[k] * y, 0) / sw
  let sxy = 0
  let sxx = 0
  for (const [k, [x, y]] of points.entries()) {
    sxy += w[k] * (x - mx) * (y - my)
    sxx += w[k] * (x - mx) ** 2
  }
  // ms per s is 1000 ppm.
  return sxx === 0 ? undefined : (sxy / sxx) * 1000
}

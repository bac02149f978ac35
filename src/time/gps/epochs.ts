// From NMEA sentences to time samples. A receiver sends a burst of sentences shortly after
// each second (an "epoch"), all naming the same time of day; the burst's first sentence is
// the one whose arrival marks the epoch on our clock. The tracker groups sentences by time,
// takes the date from RMC or ZDA and the fix from RMC's status or GGA's quality, and yields
// one sample per valid epoch: reference = the named UTC time, local = arrival of the first
// sentence minus the configured transmit latency. With a PPS edge in the second before the
// burst, the edge's kernel timestamp replaces the arrival time (refid PPS instead of GPS).
import type { TimeSample } from '../source'
import { utcNs, type DateParts, type NmeaSentence, type TimeOfDay } from './nmea'
import type { PpsEdge } from './pps'

export interface Arrival {
  realtimeNs: bigint
  rawNs?: bigint
}

export interface EpochOptions {
  source: string
  /** Fixed delay from the start of the second to the first sentence's arrival, ns. */
  latencyNs?: bigint
  /** Error bound of an NMEA-only sample, s (default 0.05: sentence latency wanders). */
  nmeaDispersion?: number
  /** Error bound of a PPS-timed sample, s (default 1e-6). */
  ppsDispersion?: number
}

export interface FixState {
  /** The last GGA fix quality and satellite count. */
  quality?: number
  satellites?: number
  /** The last RMC status. */
  valid?: boolean
  talker?: string
}

interface Epoch {
  key: string
  time: TimeOfDay
  arrival: Arrival
  date?: DateParts
  valid?: boolean
  done: boolean
}

const keyOf = (t: TimeOfDay): string => `${t.hour}:${t.minute}:${t.second}.${t.nanos}`

export class EpochTracker {
  readonly fix: FixState = {}
  /** Epochs seen without a valid fix (no sample). */
  noFix = 0
  private epoch: Epoch | undefined
  private lastPpsSequence = -1

  constructor(private readonly options: EpochOptions) {}

  /** Feeds one parsed sentence; returns the epoch's sample when this sentence completes it. */
  accept(s: NmeaSentence, arrival: Arrival, pps?: PpsEdge): TimeSample | undefined {
    if (s.type === 'other' || s.time === null) return undefined
    this.fix.talker = s.talker
    const key = keyOf(s.time)
    if (this.epoch === undefined || this.epoch.key !== key)
      this.epoch = { key, time: s.time, arrival, done: false }
    const e = this.epoch
    if (s.type === 'GGA') {
      this.fix.quality = s.quality
      if (s.satellites !== null) this.fix.satellites = s.satellites
      if (s.quality === 0) e.valid = false
      else e.valid ??= true
    } else {
      if (s.date !== null) e.date = s.date
      if (s.type === 'RMC') {
        this.fix.valid = s.valid
        e.valid = s.valid
      }
    }
    if (e.done || e.date === undefined || e.valid === undefined) return undefined
    e.done = true
    if (!e.valid) {
      this.noFix++
      return undefined
    }
    return this.sample(utcNs(e.date, e.time), e.arrival, pps)
  }

  private sample(referenceNs: bigint, arrival: Arrival, pps: PpsEdge | undefined): TimeSample {
    const o = this.options
    // The pulse that starts this second came before the burst, less than a second before.
    const edgeAge = pps === undefined ? -1n : arrival.realtimeNs - pps.localNs
    const usePps =
      pps !== undefined &&
      pps.sequence !== this.lastPpsSequence &&
      edgeAge >= 0n &&
      edgeAge < 1_000_000_000n &&
      referenceNs % 1_000_000_000n === 0n
    let localNs: bigint
    let rawNs: bigint | undefined
    if (usePps) {
      this.lastPpsSequence = pps.sequence
      localNs = pps.localNs
      rawNs = arrival.rawNs === undefined ? undefined : arrival.rawNs - edgeAge
    } else {
      const latency = o.latencyNs ?? 0n
      localNs = arrival.realtimeNs - latency
      rawNs = arrival.rawNs === undefined ? undefined : arrival.rawNs - latency
    }
    return {
      source: o.source,
      referenceNs,
      localNs,
      ...(rawNs !== undefined ? { localRawNs: rawNs } : {}),
      offset: Number(referenceNs - localNs) / 1e9,
      delay: 0,
      dispersion: usePps ? (o.ppsDispersion ?? 1e-6) : (o.nmeaDispersion ?? 0.05),
      rootDelay: 0,
      rootDispersion: 0,
      stratum: 0,
      refid: usePps ? 'PPS' : 'GPS',
      leap: 0,
    }
  }
}

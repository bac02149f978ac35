// The live time sources of the Clocks view: NTP servers, GPS receivers on serial ports and
// gpsd, added and removed by the user, kept running by the engine. Each source's samples feed
// its history (offset, delay, drift with its confidence interval, for the charts), its jitter
// and its last-sample age; its own status gives its state and its errors by type. ClockLab's
// lab clock (src/time/lab-clock.ts, never the system clock) follows the best fresh source,
// or the one the user picks, stepping or slewing as the policy says; every correction is kept
// for its chart. A source that goes away keeps its history and retries on its own.
import { InputError } from '../core/errors'
import { betterSample } from '../time/best-source'
import { localClocks, type Clocks } from '../time/clocks'
import { TimeInputError } from '../time/errors'
import { DriftEstimator, driftPoint } from '../time/drift'
import { GPSD_PORT, GpsdSource } from '../time/gps/gpsd'
import { listPorts } from '../time/gps/ports'
import { SerialGpsSource } from '../time/gps/serial-source'
import { LabClock } from '../time/lab-clock'
import { NtpClientSource, parseServerAddress } from '../time/ntp/client'
import type { TimeSample, TimeSource } from '../time/source'
import type {
  LabClockPoint,
  LabClockStatus,
  LiveSourceStatus,
  SerialPortListing,
  SourcePoint,
  TimeSourceInfo,
  TimeSourceSpec,
  TimeSourcesReport,
} from './api-types'

export interface TimeSourcesOptions {
  clocks?: Clocks
  /** NTP poll interval, ms (default 2000). */
  ntpIntervalMs?: number
  /** How long a lost serial port or gpsd waits before trying again, ms (default 1000). */
  retryMs?: number
  /** A source whose last sample is older than this is not followed, s (default 64). */
  maxAgeSeconds?: number
  /** Points kept per source and for the lab clock (default 3600). */
  keep?: number
}

interface Followed {
  spec: TimeSourceSpec
  label: string
  source: TimeSource
  last?: TimeSample
  /** MONOTONIC when the last sample came, ns. */
  lastAt?: bigint
  drift: DriftEstimator
  recentOffsets: number[]
  points: SourcePoint[]
}

/** Samples the jitter is taken over. */
const JITTER_SAMPLES = 8
/** A running NTP source without a sample for this long says why, s. */
const QUIET_SECONDS = 10

export class TimeSources {
  private readonly clocks: Clocks
  private readonly sources = new Map<string, Followed>()
  private readonly lab: LabClock
  private readonly labPoints: LabClockPoint[] = []
  private readonly startNs: bigint
  private readonly keep: number
  private reference = 'best'
  private following: string | undefined
  private steps = 0
  private seq = 0

  constructor(private readonly options: TimeSourcesOptions = {}) {
    this.clocks = options.clocks ?? localClocks()
    this.keep = options.keep ?? 3600
    this.startNs = this.clocks.readNs('monotonic')
    const oscillator = this.clocks.has('monotonic-raw') ? 'monotonic-raw' : 'monotonic'
    this.lab = new LabClock({
      oscillator: () => Number(this.clocks.readNs(oscillator)) / 1e6,
      start: Number(this.clocks.readNs('realtime')) / 1e6,
      onAdjust: (a) => {
        if (a.kind === 'step') this.steps++
      },
    })
  }

  listSerialPorts(): Promise<SerialPortListing> {
    return listPorts()
  }

  /** Starts a source; resolves with its id once it is under way (it may still be connecting). */
  async add(spec: TimeSourceSpec): Promise<string> {
    const { id, label, open } = inputErrors(() => this.describe(spec))
    if (this.sources.has(id)) throw new InputError(`${label} is already a source`)
    const source = await open()
    const entry: Followed = {
      spec,
      label,
      source,
      drift: new DriftEstimator(),
      recentOffsets: [],
      points: [],
    }
    this.sources.set(id, entry)
    void this.follow(id, entry)
    return id
  }

  async remove(id: string): Promise<void> {
    const entry = this.sources.get(id)
    if (entry === undefined) throw new InputError(`no time source ${id}`)
    this.sources.delete(id)
    if (this.reference === id) this.reference = 'best'
    if (this.following === id) this.following = undefined
    await entry.source.close()
  }

  setReference(reference: string): void {
    if (reference !== 'best' && !this.sources.has(reference))
      throw new InputError(`no time source ${reference}`)
    this.reference = reference
  }

  /** Every source's state and the lab clock's, with the points after `since`. */
  report(since = 0): TimeSourcesReport {
    const now = this.clocks.readNs('monotonic')
    const sources = [...this.sources].map(([id, f]) => this.status(id, f, now, since))
    const state = this.lab.state()
    const last = this.labPoints.at(-1)
    const followed = this.following === undefined ? undefined : this.sources.get(this.following)
    const labClock: LabClockStatus = {
      reference: this.reference,
      ...(followed?.last ? { following: this.following, stratum: followed.last.stratum + 1 } : {}),
      ...(last ? { offsetMs: last.offsetMs } : {}),
      slewPpm: state.slewPpm,
      steps: this.steps,
      policy: {
        stepThresholdMs: this.lab.policy.stepThresholdMs,
        maxSlewPpm: this.lab.policy.maxSlewPpm,
      },
      points: this.labPoints.filter((p) => p.seq > since),
    }
    return { sources, labClock, seq: this.seq }
  }

  /** The stratum hierarchy for the Clocks view's graph: each source, then this host's lab clock. */
  graph(host: string): TimeSourceInfo[] {
    const now = this.clocks.readNs('monotonic')
    const nodes: TimeSourceInfo[] = []
    for (const [id, f] of this.sources) {
      if (f.last === undefined) continue
      nodes.push({
        id,
        label: f.label,
        kind: f.spec.kind,
        stratum: f.last.stratum,
        reachable: f.source.status().state === 'running' && this.fresh(f, now),
        offsetMs: f.last.offset * 1e3,
        delayMs: f.last.delay * 1e3,
      })
    }
    const followed = this.following === undefined ? undefined : this.sources.get(this.following)
    if (followed?.last)
      nodes.push({
        id: 'lab-clock',
        label: `lab clock of ${host}`,
        kind: 'lab-clock',
        stratum: followed.last.stratum + 1,
        reachable: true,
        parent: this.following,
        ...(this.labPoints.length ? { offsetMs: this.labPoints.at(-1)!.offsetMs } : {}),
      })
    return nodes
  }

  async close(): Promise<void> {
    const all = [...this.sources.values()]
    this.sources.clear()
    await Promise.all(all.map((f) => f.source.close()))
  }

  private describe(spec: TimeSourceSpec): {
    id: string
    label: string
    open: () => Promise<TimeSource>
  } {
    const retryMs = this.options.retryMs ?? 1000
    switch (spec.kind) {
      case 'ntp': {
        const address = parseServerAddress(spec.address.trim())
        const name = `${address.host}:${address.port}`
        return {
          id: `ntp ${name}`,
          label: `NTP ${name}`,
          open: async () => {
            try {
              return await NtpClientSource.start([address], {
                intervalMs: this.options.ntpIntervalMs ?? 2000,
                clocks: this.clocks,
              })
            } catch (err) {
              throw new InputError(`NTP ${name}: ${(err as Error).message}`)
            }
          },
        }
      }
      case 'gps': {
        const path = spec.path.trim()
        if (!path.startsWith('/') && !/^COM\d+$/i.test(path))
          throw new InputError(`'${spec.path}' is not a serial port (a path like /dev/ttyUSB0)`)
        return {
          id: `gps ${path}`,
          label: `GPS ${path}`,
          open: async () =>
            new SerialGpsSource({
              path,
              ...(spec.baudRate !== undefined ? { baudRate: spec.baudRate } : {}),
              reopenMs: retryMs,
              clocks: this.clocks,
            }),
        }
      }
      case 'gpsd': {
        const address = parseServerAddress(spec.address.trim(), GPSD_PORT)
        const name = `${address.host}:${address.port}`
        return {
          id: `gpsd ${name}`,
          label: `gpsd ${name}`,
          open: async () =>
            new GpsdSource({
              host: address.host,
              port: address.port,
              reconnectMs: retryMs,
              clocks: this.clocks,
            }),
        }
      }
    }
  }

  private async follow(id: string, f: Followed): Promise<void> {
    for await (const sample of f.source.samples()) {
      if (this.sources.get(id) !== f) return
      this.onSample(id, f, sample)
    }
  }

  private onSample(id: string, f: Followed, sample: TimeSample): void {
    const now = this.clocks.readNs('monotonic')
    f.last = sample
    f.lastAt = now
    f.drift.add(driftPoint(sample))
    f.recentOffsets.push(sample.offset)
    if (f.recentOffsets.length > JITTER_SAMPLES) f.recentOffsets.shift()
    const drift = f.drift.estimate()
    push(
      f.points,
      {
        seq: ++this.seq,
        t: this.seconds(now),
        offsetMs: sample.offset * 1e3,
        delayMs: sample.delay * 1e3,
        ...(drift ? { driftPpm: drift.ppm, driftHalfWidthPpm: drift.halfWidthPpm } : {}),
      },
      this.keep,
    )
    this.following = this.pick(now)
    if (this.following === id) this.discipline(id, sample, now)
  }

  /** The source the lab clock follows: the chosen one, else the best fresh one. */
  private pick(now: bigint): string | undefined {
    if (this.reference !== 'best') return this.reference
    let best: [string, TimeSample] | undefined
    for (const [id, f] of this.sources) {
      if (f.last === undefined || f.last.leap === 3 || !this.fresh(f, now)) continue
      if (best === undefined || betterSample(f.last, best[1])) best = [id, f.last]
    }
    return best?.[0]
  }

  /** Corrects the lab clock against a new sample of the source it follows. */
  private discipline(id: string, sample: TimeSample, now: bigint): void {
    // The reference's time now: the sample's, carried forward by the wall clock since it.
    const referenceMs =
      Number(sample.referenceNs + (this.clocks.readNs('realtime') - sample.localNs)) / 1e6
    const { now: labMs, slewPpm } = this.lab.state()
    const offsetMs = referenceMs - labMs
    const action = offsetMs === 0 ? 'none' : this.lab.correct(offsetMs)
    push(
      this.labPoints,
      { seq: ++this.seq, t: this.seconds(now), offsetMs, action, slewPpm, source: id },
      this.keep,
    )
  }

  private status(id: string, f: Followed, now: bigint, since: number): LiveSourceStatus {
    const s = f.source.status()
    const drift = f.drift.estimate()
    const age = f.lastAt === undefined ? undefined : Number(now - f.lastAt) / 1e9
    const quiet = s.state === 'running' && (age ?? this.seconds(now)) > QUIET_SECONDS
    return {
      id,
      kind: f.spec.kind,
      label: f.label,
      state: s.state,
      ...((s.state === 'lost' || quiet) && s.lastError ? { problem: s.lastError } : {}),
      ...(f.last
        ? {
            stratum: f.last.stratum,
            refid: f.last.refid,
            offsetMs: f.last.offset * 1e3,
            delayMs: f.last.delay * 1e3,
          }
        : {}),
      ...(f.recentOffsets.length >= 2 ? { jitterMs: jitter(f.recentOffsets) * 1e3 } : {}),
      ...(drift
        ? {
            drift: {
              ppm: drift.ppm,
              halfWidthPpm: drift.halfWidthPpm,
              confidence: drift.confidence,
              points: drift.points,
            },
          }
        : {}),
      samples: s.samples,
      ...(age !== undefined ? { lastSampleAgeS: age } : {}),
      errors: s.errors,
      followed: this.following === id,
      points: f.points.filter((p) => p.seq > since),
    }
  }

  private fresh(f: Followed, now: bigint): boolean {
    return (
      f.lastAt !== undefined && Number(now - f.lastAt) / 1e9 <= (this.options.maxAgeSeconds ?? 64)
    )
  }

  private seconds(now: bigint): number {
    return Number(now - this.startNs) / 1e9
  }
}

/** Bad input from src/time (an address that does not parse) as the API's InputError. */
function inputErrors<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    throw err instanceof TimeInputError ? new InputError(err.message) : err
  }
}

function push<T>(list: T[], item: T, keep: number): void {
  list.push(item)
  if (list.length > keep) list.splice(0, list.length - keep)
}

/** RMS of successive differences, s. */
function jitter(offsets: number[]): number {
  let sum = 0
  for (let k = 1; k < offsets.length; k++) sum += (offsets[k] - offsets[k - 1]) ** 2
  return Math.sqrt(sum / (offsets.length - 1))
}

// A reference peer: the lab peer that takes an external time reference (an NTP server, a GPS
// receiver on a serial port, or gpsd) and serves it to the lab's clock-sync experiments.
// Its own lab clock (a software clock over the monotonic oscillator; the system clock is
// never touched) is disciplined by the source's samples, and its stratum follows from the
// source's as NTP's does (best-source.ts referenceFrom): source stratum + 1. Live nodes read it through
// `read()`, which the live driver hands to the algorithm as ctx.clock.reference().
import { InputError } from '../core/errors'
import type { LanReferenceInfo } from '../lab/api-types'
import { referenceFrom, rootDistance } from '../time/best-source'
import { localClocks, type Clocks } from '../time/clocks'
import { GPSD_PORT, GpsdSource } from '../time/gps/gpsd'
import { SerialGpsSource } from '../time/gps/serial-source'
import { LabClock } from '../time/lab-clock'
import { NTP_PORT, NtpClientSource, parseServerAddress } from '../time/ntp/client'
import type { TimeSample, TimeSource } from '../time/source'

/** What a reference spec names. */
export type ReferenceSpec =
  | { kind: 'ntp'; host: string; port: number }
  | { kind: 'gps'; path: string }
  | { kind: 'gpsd'; host: string; port: number }

/** `ntp:HOST[:PORT]`, `gps:/dev/ttyX` or `gpsd[:HOST:PORT]`; throws an InputError otherwise. */
export function parseReferenceSpec(text: string): ReferenceSpec {
  const t = text.trim()
  const bad = (why: string) =>
    new InputError(
      `--reference ${text}: ${why} (expected ntp:HOST[:PORT], gps:/dev/ttyX or gpsd[:HOST:PORT])`,
    )
  if (t.startsWith('ntp:')) {
    try {
      return { kind: 'ntp', ...parseServerAddress(t.slice(4), NTP_PORT) }
    } catch (err) {
      throw bad((err as Error).message)
    }
  }
  if (t.startsWith('gps:')) {
    const path = t.slice(4)
    if (!path.startsWith('/')) throw bad('the serial port must be an absolute path')
    return { kind: 'gps', path }
  }
  if (t === 'gpsd') return { kind: 'gpsd', host: '127.0.0.1', port: GPSD_PORT }
  if (t.startsWith('gpsd:')) {
    try {
      return { kind: 'gpsd', ...parseServerAddress(t.slice(5), GPSD_PORT) }
    } catch (err) {
      throw bad((err as Error).message)
    }
  }
  throw bad('unknown kind of reference')
}

/** The reference as a live node reads it: time and error (ms), and what it stands on. */
export interface ReferenceReading {
  /** The reference's time now, ms since the Unix epoch, on the oscillator's scale. */
  time: number
  /** Bound on its error, ms: the source's root distance, grown since the sample at 15 ppm. */
  error: number
  /** This peer's stratum with the reference: the source's + 1. */
  stratum: number
  source: string
}

/**
 * How the reference peer stands, for the UI and the CLI: the API's LanReferenceInfo (the
 * source, its state and stratum, the lab clock's offset at the last sample), and the
 * frequency correction the lab clock runs with, ppm.
 */
export interface ReferenceStatus extends LanReferenceInfo {
  correctionPpm?: number
}

const PHI_PPM = 15
/** A sample older than this is not used (as best-source.ts), ms. */
const MAX_AGE_MS = 64_000
const wallOscillator = () => performance.timeOrigin + performance.now()

export interface ReferenceOptions {
  clocks?: Clocks
  /** Poll interval of an NTP reference, ms (default 1000). */
  intervalMs?: number
}

export class ReferenceClock {
  /** This peer's lab clock, disciplined by the source. */
  readonly clock: LabClock
  private last: { sample: TimeSample; osc: number } | undefined
  private count = 0
  private lastOffsetMs: number | undefined
  private closed = false

  private constructor(
    readonly spec: string,
    readonly source: TimeSource,
    private readonly clocks: Clocks,
  ) {
    this.clock = new LabClock({ oscillator: wallOscillator, reference: () => this.read() })
    void this.follow()
  }

  /** Opens the source a spec names (an NTP server is asked at once; a device is opened). */
  static async open(spec: string, options: ReferenceOptions = {}): Promise<ReferenceClock> {
    const s = parseReferenceSpec(spec)
    const clocks = options.clocks ?? localClocks()
    let source: TimeSource
    try {
      source =
        s.kind === 'ntp'
          ? await NtpClientSource.start([{ host: s.host, port: s.port }], {
              intervalMs: options.intervalMs ?? 1000,
              clocks,
            })
          : s.kind === 'gps'
            ? new SerialGpsSource({ path: s.path, clocks })
            : new GpsdSource({ host: s.host, port: s.port, clocks })
    } catch (err) {
      throw new InputError(`--reference ${spec}: ${(err as Error).message}`)
    }
    return new ReferenceClock(spec, source, clocks)
  }

  /** The reference now, or undefined while there is no fresh sample. */
  read(): ReferenceReading | undefined {
    const last = this.last
    if (last === undefined) return undefined
    const elapsed = wallOscillator() - last.osc
    const ref = referenceFrom(last.sample, elapsed / 1e3)
    if (elapsed > MAX_AGE_MS || ref.stratum >= 16) return undefined
    return {
      time: Number(last.sample.referenceNs) / 1e6 + elapsed,
      error: rootDistance(last.sample) * 1e3 + PHI_PPM * 1e-6 * elapsed,
      stratum: ref.stratum,
      source: last.sample.source,
    }
  }

  status(): ReferenceStatus {
    const st = this.source.status()
    const ref = this.last === undefined ? undefined : referenceFrom(this.last.sample, 0)
    return {
      spec: this.spec,
      source: this.source.id,
      state: st.state,
      samples: this.count,
      ...(this.last !== undefined && ref !== undefined && ref.stratum < 16
        ? {
            sourceStratum: this.last.sample.stratum,
            stratum: ref.stratum,
            refid: this.last.sample.refid,
          }
        : {}),
      ...(this.lastOffsetMs !== undefined ? { offsetMs: this.lastOffsetMs } : {}),
      correctionPpm: this.clock.state().correctionPpm,
      ...(st.lastError !== undefined ? { lastError: st.lastError } : {}),
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.source.close()
  }

  /** Each sample: pin it to the oscillator, then correct the lab clock to it. */
  private async follow(): Promise<void> {
    for await (const sample of this.source.samples()) {
      if (this.closed) return
      // The sample's instant on the oscillator: REALTIME then, and REALTIME and the oscillator now.
      const sinceNs = this.clocks.readNs('realtime') - sample.localNs
      this.last = { sample, osc: wallOscillator() - Number(sinceNs) / 1e6 }
      this.count++
      const r = this.read()
      if (r === undefined) continue
      const delta = r.time - this.clock.now()
      this.lastOffsetMs = -delta
      this.clock.correct(delta)
    }
  }
}

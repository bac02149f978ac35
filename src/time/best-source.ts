// The server's reference from its best time source: it follows every source's samples and
// picks, among the fresh ones, the lowest stratum, then the smallest root distance. The
// stratum follows: a GPS receiver (stratum 0) makes this machine stratum 1, an NTP server of
// stratum s makes it s + 1, nothing makes it unsynchronized (leap indicator 3).
import { localClocks, type Clocks } from './clocks'
import { refidFromAddress, refidFromAscii } from './ntp/codec'
import { PHI } from './ntp/reply'
import { UNSYNCHRONIZED, type ServerReference } from './ntp/server'
import { unixNsToNtp } from './ntp/timestamp'
import type { TimeSample, TimeSource } from './source'

export interface BestSourceOptions {
  /** A source whose last sample is older than this is not used, s (default 64). */
  maxAgeSeconds?: number
  clocks?: Clocks
}

/** Root distance of a sample: how far the truth can be from it, s. */
export function rootDistance(s: TimeSample): number {
  return (s.rootDelay + s.delay) / 2 + s.rootDispersion + s.dispersion
}

/** Whether `a` is a better sample to follow than `b`: a lower stratum, then a shorter root distance. */
export function betterSample(a: TimeSample, b: TimeSample): boolean {
  return a.stratum < b.stratum || (a.stratum === b.stratum && rootDistance(a) < rootDistance(b))
}

/** What a server following `sample` (taken `ageSeconds` ago) says about itself. */
export function referenceFrom(sample: TimeSample, ageSeconds: number): ServerReference {
  if (sample.leap === 3 || sample.stratum >= 15) return UNSYNCHRONIZED
  return {
    leap: sample.leap,
    stratum: sample.stratum + 1,
    referenceId:
      sample.stratum === 0 || sample.address === undefined
        ? refidFromAscii(sample.refid)
        : refidFromAddress(sample.address),
    referenceTimestamp: unixNsToNtp(sample.localNs),
    rootDelay: sample.rootDelay + sample.delay,
    // The served clock is REALTIME itself, so its offset from the source counts as error.
    rootDispersion:
      sample.rootDispersion + sample.dispersion + Math.abs(sample.offset) + PHI * ageSeconds,
  }
}

export class BestSource {
  private readonly latest = new Map<TimeSource, { sample: TimeSample; atNs: bigint }>()
  private readonly maxAgeNs: bigint
  private readonly clocks: Clocks

  constructor(
    readonly sources: readonly TimeSource[],
    options: BestSourceOptions = {},
  ) {
    this.maxAgeNs = BigInt(Math.round((options.maxAgeSeconds ?? 64) * 1e9))
    this.clocks = options.clocks ?? localClocks()
    for (const source of sources) void this.follow(source)
  }

  private async follow(source: TimeSource): Promise<void> {
    for await (const sample of source.samples())
      this.latest.set(source, { sample, atNs: this.clocks.readNs('monotonic') })
  }

  /** The best fresh sample and how old it is, if any. */
  current(): { source: TimeSource; sample: TimeSample; ageSeconds: number } | undefined {
    const now = this.clocks.readNs('monotonic')
    let best: { source: TimeSource; sample: TimeSample; ageSeconds: number } | undefined
    for (const [source, { sample, atNs }] of this.latest) {
      if (now - atNs > this.maxAgeNs || sample.leap === 3) continue
      if (best === undefined || betterSample(sample, best.sample))
        best = { source, sample, ageSeconds: Number(now - atNs) / 1e9 }
    }
    return best
  }

  readonly reference = (): ServerReference => {
    const best = this.current()
    return best === undefined ? UNSYNCHRONIZED : referenceFrom(best.sample, best.ageSeconds)
  }
}

// The local clocks in nanoseconds: which exist on this machine (and why the others do not),
// what each reads now, its resolution, and what one read costs. Everything else in src/time
// reads time through here.
import { performance } from 'node:perf_hooks'
import {
  CLOCK_IDS,
  platformTime,
  type ClockBackend,
  type ClockId,
  type PlatformTime,
  type Timespec,
} from './native/index'

export type { ClockId } from './native/index'
export { CLOCK_IDS } from './native/index'

export const CLOCK_LABELS: Record<ClockId, string> = {
  realtime: 'wall clock (UTC, stepped and slewed)',
  monotonic: 'monotonic (slewed, never stepped)',
  'monotonic-raw': 'monotonic raw (the bare oscillator)',
  boottime: 'boottime (monotonic + suspend)',
  tai: 'TAI (wall clock + kernel TAI offset)',
}

export class ClockUnavailableError extends Error {
  override readonly name = 'ClockUnavailableError'
}

export interface ClockStatus {
  id: ClockId
  label: string
  available: boolean
  /** Why it is missing, for an unavailable clock. */
  reason?: string
  api?: string
  resolutionNs?: number
}

/** The local clocks of one platform binding. */
export class Clocks {
  private readonly scratch: Timespec = { sec: 0, nsec: 0 }
  private precision: number | undefined

  constructor(readonly platform: PlatformTime = platformTime()) {}

  get backend(): string {
    return this.platform.backend
  }

  status(): ClockStatus[] {
    return CLOCK_IDS.map((id) => {
      const c = this.platform.clocks[id]
      return c.ok
        ? {
            id,
            label: CLOCK_LABELS[id],
            available: true,
            api: c.value.api,
            resolutionNs: c.value.resolutionNs,
          }
        : { id, label: CLOCK_LABELS[id], available: false, reason: c.reason }
    })
  }

  has(id: ClockId): boolean {
    return this.platform.clocks[id].ok
  }

  /** The clock's backend; throws ClockUnavailableError (with the reason) if it is missing. */
  backendOf(id: ClockId): ClockBackend {
    const c = this.platform.clocks[id]
    if (!c.ok) throw new ClockUnavailableError(`${id}: ${c.reason}`)
    return c.value
  }

  /** Nanoseconds since the clock's epoch (Unix epoch for realtime and tai). */
  readNs(id: ClockId): bigint {
    const ts = this.scratch
    this.backendOf(id).read(ts)
    return BigInt(ts.sec) * 1_000_000_000n + BigInt(ts.nsec)
  }

  /** The reading split into seconds and nanoseconds, written into `out` (no allocation). */
  read(id: ClockId, out: Timespec): void {
    this.backendOf(id).read(out)
  }

  /** REALTIME, and MONOTONIC_RAW where there is one, read back to back. */
  stamp(): { realtimeNs: bigint; rawNs: bigint | undefined } {
    const realtimeNs = this.readNs('realtime')
    return {
      realtimeNs,
      rawNs: this.has('monotonic-raw') ? this.readNs('monotonic-raw') : undefined,
    }
  }

  /**
   * NTP's precision field for the wall clock: log2 s of the larger of its resolution and its
   * read cost (about -23 for clock_gettime, -10 for a millisecond Date.now()). Measured once.
   */
  precisionExponent(): number {
    if (this.precision === undefined) {
      const backend = this.backendOf('realtime')
      const ns = Math.max(backend.resolutionNs ?? 1, this.readCostNs('realtime', 5, 2000), 1)
      this.precision = Math.max(-32, Math.ceil(Math.log2(ns * 1e-9)))
    }
    return this.precision
  }

  /**
   * The cost of one read in ns: the median over `batches` batches of `perBatch` reads each,
   * timed with performance.now().
   */
  readCostNs(id: ClockId, batches = 21, perBatch = 2000): number {
    const backend = this.backendOf(id)
    const ts: Timespec = { sec: 0, nsec: 0 }
    const costs: number[] = []
    for (let b = 0; b < batches; b++) {
      const t0 = performance.now()
      for (let i = 0; i < perBatch; i++) backend.read(ts)
      costs.push(((performance.now() - t0) * 1e6) / perBatch)
    }
    costs.sort((a, b) => a - b)
    return costs[costs.length >> 1]
  }
}

let shared: Clocks | undefined

/** The process-wide clocks of this machine. */
export function localClocks(): Clocks {
  shared ??= new Clocks()
  return shared
}

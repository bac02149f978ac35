// The kernel's clock discipline, read-only: adjtimex(modes = 0) decoded into units people use
// (offset in ns, frequency in ppm, status bits by name), and the rate of MONOTONIC against
// MONOTONIC_RAW measured over a window, which shows the kernel's frequency correction live.
import type { Availability, RawTimex, Timespec } from './native/index'
import { Clocks, localClocks } from './clocks'

/** adjtimex's return values (the clock state). */
const STATES = ['TIME_OK', 'TIME_INS', 'TIME_DEL', 'TIME_OOP', 'TIME_WAIT', 'TIME_ERROR']

/** struct timex status bits, low to high. */
export const STATUS_BITS: readonly [number, string, string][] = [
  [0x0001, 'PLL', 'phase-locked loop updates enabled'],
  [0x0002, 'PPSFREQ', 'PPS frequency discipline'],
  [0x0004, 'PPSTIME', 'PPS time discipline'],
  [0x0008, 'FLL', 'frequency-locked loop mode'],
  [0x0010, 'INS', 'leap second insert pending'],
  [0x0020, 'DEL', 'leap second delete pending'],
  [0x0040, 'UNSYNC', 'clock unsynchronized'],
  [0x0080, 'FREQHOLD', 'frequency hold'],
  [0x0100, 'PPSSIGNAL', 'PPS signal present'],
  [0x0200, 'PPSJITTER', 'PPS jitter exceeded'],
  [0x0400, 'PPSWANDER', 'PPS wander exceeded'],
  [0x0800, 'PPSERROR', 'PPS calibration error'],
  [0x1000, 'CLOCKERR', 'clock hardware fault'],
  [0x2000, 'NANO', 'offsets in nanoseconds'],
  [0x4000, 'MODE', 'FLL mode (else PLL)'],
  [0x8000, 'CLK', 'clock source B'],
]

const STA_NANO = 0x2000
const STA_UNSYNC = 0x0040
const STA_PLL = 0x0001
const STA_FLL = 0x0008

export interface KernelState {
  /** TIME_OK, TIME_ERROR, ... */
  state: string
  synchronized: boolean
  /** Which loop is running: 'PLL', 'FLL' or 'none'. */
  loop: 'PLL' | 'FLL' | 'none'
  /** Remaining phase offset the kernel is slewing out, ns. */
  offsetNs: number
  /** Frequency correction, ppm (timex.freq is scaled by 2^16). */
  freqPpm: number
  maxErrorUs: number
  estErrorUs: number
  status: number
  /** Names of the status bits that are set. */
  flags: string[]
  /** PLL time constant (log2). */
  constant: number
  tolerancePpm: number
  tickUs: number
  /** TAI − UTC in seconds as the kernel knows it (0 if nobody told it). */
  taiOffset: number
}

export function decodeTimex(t: RawTimex): KernelState {
  const flags = STATUS_BITS.filter(([bit]) => (t.status & bit) !== 0).map(([, name]) => name)
  const nano = (t.status & STA_NANO) !== 0
  return {
    state: STATES[t.state] ?? `state ${t.state}`,
    synchronized: (t.status & STA_UNSYNC) === 0 && t.state !== 5,
    loop: (t.status & STA_FLL) !== 0 ? 'FLL' : (t.status & STA_PLL) !== 0 ? 'PLL' : 'none',
    offsetNs: nano ? t.offset : t.offset * 1000,
    freqPpm: t.freq / 65536,
    maxErrorUs: t.maxerror,
    estErrorUs: t.esterror,
    status: t.status,
    flags,
    constant: t.constant,
    tolerancePpm: t.tolerance / 65536,
    tickUs: t.tick,
    taiOffset: t.tai,
  }
}

/** The kernel state, or why it cannot be read on this machine. */
export function readKernelState(clocks: Clocks = localClocks()): Availability<KernelState> {
  const timex = clocks.platform.readTimex
  if (!timex.ok) return timex
  try {
    return { ok: true, value: decodeTimex(timex.value()) }
  } catch (err) {
    return { ok: false, reason: (err as Error).message }
  }
}

/** One MONOTONIC_RAW reading paired with the MONOTONIC reading at the same instant. */
interface Pair {
  mono: number
  raw: number
  /** Width of the MONO, RAW, MONO bracket: the pair's uncertainty, ns. */
  width: number
}

export interface MonotonicRate {
  /** (MONOTONIC rate / MONOTONIC_RAW rate − 1), ppm: the kernel's slew of the monotonic clock. */
  ppm: number
  /** Bound on the error of `ppm` from the bracket widths, ppm. */
  uncertaintyPpm: number
  windowNs: number
}

const toNs = (ts: Timespec): number => ts.sec * 1e9 + ts.nsec

/**
 * Pairs MONOTONIC with MONOTONIC_RAW: reads MONO, RAW, MONO `tries` times and keeps the
 * tightest bracket, taking the raw reading against the midpoint of the two monotonic ones.
 * Back-to-back reads alone carry several ppm of noise over short windows.
 */
export function pairMonotonicRaw(clocks: Clocks, tries = 200): Pair {
  const mono = clocks.backendOf('monotonic')
  const raw = clocks.backendOf('monotonic-raw')
  const a: Timespec = { sec: 0, nsec: 0 }
  const r: Timespec = { sec: 0, nsec: 0 }
  const b: Timespec = { sec: 0, nsec: 0 }
  let best: Pair | undefined
  for (let i = 0; i < tries; i++) {
    mono.read(a)
    raw.read(r)
    mono.read(b)
    const width = (b.sec - a.sec) * 1e9 + (b.nsec - a.nsec)
    if (best === undefined || width < best.width)
      best = { mono: (toNs(a) + toNs(b)) / 2, raw: toNs(r), width }
  }
  return best as Pair
}

/** The rate of MONOTONIC against MONOTONIC_RAW between two pairs. */
export function rateBetween(start: Pair, end: Pair): MonotonicRate {
  const dRaw = end.raw - start.raw
  const dMono = end.mono - start.mono
  return {
    ppm: (dMono / dRaw - 1) * 1e6,
    uncertaintyPpm: ((start.width + end.width) / 2 / dRaw) * 1e6,
    windowNs: dRaw,
  }
}

/** Measures the monotonic clock's slew over `windowMs` of real time. */
export async function measureMonotonicRate(
  windowMs: number,
  clocks: Clocks = localClocks(),
): Promise<MonotonicRate> {
  const start = pairMonotonicRaw(clocks)
  await new Promise((resolve) => setTimeout(resolve, windowMs))
  return rateBetween(start, pairMonotonicRaw(clocks))
}

// The local oscillator's frequency error against a reference (an NTP server, GPS), in ppm
// with a confidence interval, over a sliding window: an ordinary least-squares line through
// (local time, reference − local) pairs; its slope is the rate error, and the slope's
// standard error with Student's t gives the interval.
import type { TimeSample } from './source'

export interface DriftPoint {
  /** The local clock's reading, ns (MONOTONIC_RAW measures the bare oscillator). */
  localNs: bigint
  /** The reference's reading at the same instant, ns. */
  referenceNs: bigint
}

/**
 * A time sample as a drift point: against MONOTONIC_RAW (the bare oscillator) where the
 * sample has it, else against the wall clock (whose rate the kernel may be correcting).
 */
export function driftPoint(s: TimeSample): DriftPoint {
  return s.localRawNs === undefined
    ? { localNs: s.localNs, referenceNs: s.referenceNs }
    : { localNs: s.localRawNs, referenceNs: s.localRawNs + (s.referenceNs - s.localNs) }
}

export interface DriftEstimate {
  /** How fast the local clock runs against the reference, ppm (positive: local is fast). */
  ppm: number
  /** Half-width of the confidence interval, ppm. */
  halfWidthPpm: number
  confidence: number
  /** Standard error of the slope, ppm. */
  standardErrorPpm: number
  /** Points in the window and the time they span, s. */
  points: number
  spanSeconds: number
  /** Residual scatter around the line (the reference's noise as seen here), s. */
  residualSeconds: number
}

export interface DriftOptions {
  /** Window length in seconds of local time (default 600). */
  windowSeconds?: number
  /** At most this many points (default 1024). */
  maxPoints?: number
  /** Two-sided confidence level (default 0.95). */
  confidence?: number
}

/** Student's t quantile for a two-sided interval at `confidence` with `df` degrees of freedom. */
export function studentT(confidence: number, df: number): number {
  const target = (1 - confidence) / 2
  // The upper tail P(T > t) = I_{df/(df+t²)}(df/2, 1/2) / 2 falls with t: bisect on it.
  let lo = 0
  let hi = 1
  while (betaIncomplete(df / 2, 0.5, df / (df + hi * hi)) / 2 > target) hi *= 2
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2
    if (betaIncomplete(df / 2, 0.5, df / (df + mid * mid)) / 2 > target) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/** The regularized incomplete beta function I_x(a, b) (continued fraction, Lentz's method). */
function betaIncomplete(a: number, b: number, x: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  )
  if (x > (a + 1) / (a + b + 2)) return 1 - betaIncomplete(b, a, 1 - x)
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  d = 1 / (Math.abs(d) < tiny ? tiny : d)
  let f = d
  for (let m = 1; m <= 300; m++) {
    for (const numerator of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + numerator * d
      d = 1 / (Math.abs(d) < tiny ? tiny : d)
      c = 1 + numerator / c
      if (Math.abs(c) < tiny) c = tiny
      f *= c * d
    }
    if (Math.abs(c * d - 1) < 1e-15) break
  }
  return (front * f) / a
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
function logGamma(x: number): number {
  const g = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531,
    -176.61503916999186, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6,
    1.5056327351493116e-7,
  ]
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  const y = x - 1
  let sum = g[0]
  for (let i = 1; i < 9; i++) sum += g[i] / (y + i)
  const t = y + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum)
}

export class DriftEstimator {
  private readonly windowNs: bigint
  private readonly maxPoints: number
  private readonly confidence: number
  private readonly points: DriftPoint[] = []

  constructor(options: DriftOptions = {}) {
    this.windowNs = BigInt(Math.round((options.windowSeconds ?? 600) * 1e9))
    this.maxPoints = options.maxPoints ?? 1024
    this.confidence = options.confidence ?? 0.95
  }

  add(point: DriftPoint): void {
    const last = this.points.at(-1)
    // A local clock that went backwards (a restart, a step) starts a new window.
    if (last !== undefined && point.localNs <= last.localNs) this.points.length = 0
    this.points.push(point)
    const oldest = point.localNs - this.windowNs
    while (this.points.length > this.maxPoints || this.points[0].localNs < oldest)
      this.points.shift()
  }

  get size(): number {
    return this.points.length
  }

  /** The estimate, once the window holds at least three points. */
  estimate(): DriftEstimate | undefined {
    const n = this.points.length
    if (n < 3) return undefined
    // Work relative to the first point so doubles keep nanosecond precision.
    const x0 = this.points[0].localNs
    const y0 = this.points[0].referenceNs - x0
    const xs = this.points.map((p) => Number(p.localNs - x0) / 1e9)
    const ys = this.points.map((p) => Number(p.referenceNs - p.localNs - y0) / 1e9)
    const mx = xs.reduce((s, v) => s + v, 0) / n
    const my = ys.reduce((s, v) => s + v, 0) / n
    let sxx = 0
    let sxy = 0
    for (let i = 0; i < n; i++) {
      sxx += (xs[i] - mx) ** 2
      sxy += (xs[i] - mx) * (ys[i] - my)
    }
    if (sxx === 0) return undefined
    const slope = sxy / sxx
    let ssr = 0
    for (let i = 0; i < n; i++) ssr += (ys[i] - my - slope * (xs[i] - mx)) ** 2
    const residual = Math.sqrt(ssr / (n - 2))
    const se = residual / Math.sqrt(sxx)
    const t = studentT(this.confidence, n - 2)
    // slope = d(reference − local)/d(local) = 1/(1 + error) − 1, so error = −slope/(1 + slope);
    // the interval scales by that map's derivative, 1/(1 + slope)².
    const scale = 1e6 / (1 + slope) ** 2
    return {
      ppm: (-slope / (1 + slope)) * 1e6,
      halfWidthPpm: t * se * scale,
      confidence: this.confidence,
      standardErrorPpm: se * scale,
      points: n,
      spanSeconds: xs[n - 1] - xs[0],
      residualSeconds: residual,
    }
  }
}

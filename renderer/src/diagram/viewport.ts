// The space-time diagram's window onto a run: which stretch of time is shown across the
// width, how tall each process's lane is and how far the lanes are scrolled; pan and zoom.
// Pure arithmetic, in CSS pixels.

/** Room on the left for node names, and at the top for the time axis. */
export const GUTTER = 72
export const AXIS = 26
const MIN_LANE = 18
const MAX_LANE = 72
/** The narrowest window: a microsecond. */
const MIN_SPAN = 0.001

export class Viewport {
  t0 = 0
  t1 = 1000
  /** How far the lanes are scrolled down, px. */
  y0 = 0
  width = 800
  height = 400
  nodeCount = 1

  get plotWidth(): number {
    return Math.max(1, this.width - GUTTER)
  }
  get span(): number {
    return this.t1 - this.t0
  }
  /** Pixels per ms. */
  get scale(): number {
    return this.plotWidth / this.span
  }
  get laneHeight(): number {
    const fit = (this.height - AXIS) / Math.max(1, this.nodeCount)
    return Math.min(MAX_LANE, Math.max(MIN_LANE, fit))
  }
  /** How far the lanes can scroll: zero when they all fit. */
  get maxScroll(): number {
    return Math.max(0, AXIS + this.nodeCount * this.laneHeight - this.height)
  }

  resize(width: number, height: number, nodeCount: number): void {
    this.width = width
    this.height = height
    this.nodeCount = nodeCount
    this.y0 = Math.min(this.y0, this.maxScroll)
  }

  x(t: number): number {
    return GUTTER + (t - this.t0) * this.scale
  }
  timeAt(x: number): number {
    return this.t0 + (x - GUTTER) / this.scale
  }
  laneY(node: number): number {
    return AXIS + (node + 0.5) * this.laneHeight - this.y0
  }
  /** The lane under y, or -1. */
  laneAt(y: number): number {
    const lane = Math.floor((y - AXIS + this.y0) / this.laneHeight)
    return y >= AXIS && lane >= 0 && lane < this.nodeCount ? lane : -1
  }

  show(t0: number, t1: number): void {
    const span = Math.max(MIN_SPAN, t1 - t0)
    this.t0 = t0
    this.t1 = t0 + span
  }

  /** Zooms by `factor` (> 1: in) keeping the time under `anchorX` where it is. */
  zoom(factor: number, anchorX = GUTTER + this.plotWidth / 2): void {
    const anchor = this.timeAt(anchorX)
    const span = Math.max(MIN_SPAN, this.span / factor)
    const frac = (anchorX - GUTTER) / this.plotWidth
    this.t0 = anchor - frac * span
    this.t1 = this.t0 + span
  }

  /** Moves the window by `dx` pixels of time (positive: later) and `dy` of lanes. */
  pan(dx: number, dy = 0): void {
    const dt = dx / this.scale
    this.t0 += dt
    this.t1 += dt
    this.y0 = Math.min(this.maxScroll, Math.max(0, this.y0 + dy))
  }

  /** Centres time t (and a lane, if given) without changing the zoom. */
  centerOn(t: number, lane?: number): void {
    const half = this.span / 2
    this.t0 = t - half
    this.t1 = t + half
    if (lane !== undefined) {
      const y = AXIS + (lane + 0.5) * this.laneHeight
      this.y0 = Math.min(this.maxScroll, Math.max(0, y - (this.height + AXIS) / 2))
    }
  }
}

/** Tick marks for a time axis: round values (1, 2 or 5 times a power of ten) about `px` apart. */
export function timeTicks(t0: number, t1: number, widthPx: number, px = 90): number[] {
  const span = t1 - t0
  if (!(span > 0) || widthPx <= 0) return []
  const raw = (span * px) / widthPx
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow
  const ticks: number[] = []
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step)
    ticks.push(Number(t.toPrecision(12)))
  return ticks
}

export function formatMs(t: number, span: number): string {
  if (span >= 10_000) return `${(t / 1000).toFixed(span >= 100_000 ? 0 : 1)} s`
  const digits = span >= 100 ? 0 : span >= 1 ? 1 : 3
  return `${t.toFixed(digits)} ms`
}

// A node's simulated clock: local = offset + true time scaled by the oscillator's
// frequency error (skew in ppm plus a random-walk wander), changed only by the
// discipline: a step jumps it, a slew bends its rate by at most maxSlewPpm until
// the requested amount is absorbed. Evaluated lazily, piece by linear piece.
import { z } from 'zod'
import type { Rng } from '../core/random'

export const ClockSpecSchema = z
  .object({
    /** Local minus true time at t = 0, ms. */
    offset: z.number().default(0),
    /** Frequency error of the oscillator, parts per million (+ runs fast). */
    skewPpm: z.number().default(0),
    /** Standard deviation of the frequency random walk, ppm per step of one second. */
    wanderPpm: z.number().nonnegative().default(0),
    /** Largest rate change a slew may apply, ppm (Linux: 500). */
    maxSlewPpm: z.number().positive({ message: 'must be above zero' }).default(500),
  })
  .strict()

export type ClockSpec = z.infer<typeof ClockSpecSchema>

const spec = ClockSpecSchema.shape
/**
 * One node's overrides: any of the fields, and no defaults, so a field left out keeps the
 * value from `clocks.default` (`ClockSpecSchema.partial()` would fill in 0 / 500 instead).
 */
export const ClockOverrideSchema = z
  .object({
    offset: spec.offset.unwrap().optional(),
    skewPpm: spec.skewPpm.unwrap().optional(),
    wanderPpm: spec.wanderPpm.unwrap().optional(),
    maxSlewPpm: spec.maxSlewPpm.unwrap().optional(),
  })
  .strict()

const WANDER_STEP_MS = 1000

export class SimClock {
  private t0 = 0
  private l0: number
  private freqPpm: number
  private slewPpm = 0
  private slewEnd = Infinity
  private nextWander: number

  constructor(
    private readonly spec: ClockSpec,
    private readonly rng: Rng,
  ) {
    this.l0 = spec.offset
    this.freqPpm = spec.skewPpm
    this.nextWander = spec.wanderPpm > 0 ? WANDER_STEP_MS : Infinity
  }

  /** Local clock reading at true time `t` (t never decreases between calls). */
  read(t: number): number {
    this.advance(t)
    return this.l0 + (t - this.t0) * this.rate()
  }

  /** Local seconds per true second right now. */
  rate(): number {
    return 1 + (this.freqPpm + this.slewPpm) * 1e-6
  }

  /** Current frequency error including any slew in progress, ppm. */
  frequencyPpm(): number {
    return this.freqPpm + this.slewPpm
  }

  step(t: number, deltaMs: number): void {
    this.advance(t)
    this.l0 += deltaMs
  }

  /** Starts absorbing `deltaMs`, replacing any slew still in progress (as adjtime does). */
  slew(t: number, deltaMs: number): void {
    this.advance(t)
    this.rebase(t)
    if (deltaMs === 0) {
      this.slewPpm = 0
      this.slewEnd = Infinity
      return
    }
    const max = this.spec.maxSlewPpm
    this.slewPpm = Math.sign(deltaMs) * max
    this.slewEnd = t + Math.abs(deltaMs) / (max * 1e-6)
  }

  /** True time at which the current slew completes (Infinity when none runs). */
  slewEndsAt(): number {
    return this.slewEnd
  }

  /** Moves the anchor to `t` through every rate change (slew end, wander step) before it. */
  private advance(t: number): void {
    for (;;) {
      const next = Math.min(this.slewEnd, this.nextWander)
      if (next > t) return
      this.rebase(next)
      if (next === this.slewEnd) {
        this.slewPpm = 0
        this.slewEnd = Infinity
      } else {
        this.freqPpm += this.spec.wanderPpm * this.rng.normal()
        this.nextWander += WANDER_STEP_MS
      }
    }
  }

  private rebase(t: number): void {
    this.l0 += (t - this.t0) * this.rate()
    this.t0 = t
  }
}

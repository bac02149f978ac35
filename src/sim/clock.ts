// A node's simulated clock: local = offset + true time scaled by the oscillator's
// frequency error (skew in ppm, a random-walk wander, an optional temperature-like
// cycle), changed by the discipline: a step jumps it, a slew bends its rate by at
// most maxSlewPpm until the requested amount is absorbed, a frequency correction
// (a PLL/FLL's knob) shifts its rate within ±maxFreqPpm. A leap second is either
// inserted (the clock steps back 1 s, as a kernel repeats 23:59:59) or smeared
// (the clock runs slow over a window until it has lost 1 s). A node may have a
// reference (a GPS receiver, an atomic clock): it reads true time, leap included,
// within ±jitterMs. Evaluated lazily, piece by linear piece (DisciplinedClock).
import { z } from 'zod'
import type { Rng } from '../core/random'
import { DisciplinedClock } from '../time/discipline/disciplined-clock'
import { MAX_SLEW_PPM } from '../time/discipline/policy'

const nonNegative = (what: string) =>
  z.number().nonnegative({ message: `must be at least 0 (${what})` })

export const ThermalSchema = z
  .object({
    /** Peak frequency swing of the cycle, ppm (a crystal: about 1 ppm per few degrees). */
    amplitudePpm: nonNegative('a peak swing in ppm'),
    /** Period of the cycle, s (an air-conditioning cycle, a day). */
    periodS: z.number().positive({ message: 'must be above zero' }).default(3600),
    /** Where in the cycle true time 0 falls, degrees. */
    phaseDeg: z.number().default(0),
  })
  .strict()

export const LeapSchema = z
  .object({
    /** True time of the leap, ms. */
    at: nonNegative('a time in ms'),
    /** insert: UTC repeats a second (the clock goes back 1 s); delete: it skips one. */
    kind: z.enum(['insert', 'delete']).default('insert'),
    /** 0: step at `at`; otherwise smear the second linearly over this window centred on `at`, ms. */
    smearMs: nonNegative('a duration in ms').default(0),
  })
  .strict()
  .refine((l) => l.smearMs / 2 <= l.at, {
    message: 'the smear would start before time 0: at must be at least smearMs / 2',
    path: ['at'],
  })

export const ReferenceSchema = z
  .object({
    /** The reference reads true time within ±jitterMs (uniform), ms. */
    jitterMs: nonNegative('a bound in ms').default(0),
  })
  .strict()

export const ClockSpecSchema = z
  .object({
    /** Local minus true time at t = 0, ms. */
    offset: z.number().default(0),
    /** Frequency error of the oscillator, parts per million (+ runs fast). */
    skewPpm: z.number().default(0),
    /** Each node's offset gets a uniform draw in ±offsetBoundMs added, ms. */
    offsetBoundMs: nonNegative('a bound on |offset| in ms').default(0),
    /** Each node's skew gets a uniform draw in ±skewBoundPpm added, ppm. */
    skewBoundPpm: nonNegative('a bound on |skew| in ppm').default(0),
    /** Standard deviation of the frequency random walk, ppm per step of one second. */
    wanderPpm: nonNegative('a standard deviation').default(0),
    /** A temperature-like cycle of the frequency: amplitude·sin(2π t / period + phase). */
    thermal: ThermalSchema.optional(),
    /** Largest rate change a slew may apply, ppm (Linux: 500). */
    maxSlewPpm: z.number().positive({ message: 'must be above zero' }).default(MAX_SLEW_PPM),
    /** Largest frequency correction the discipline may set, ppm either way (Linux: 500). */
    maxFreqPpm: nonNegative('a bound in ppm').default(500),
    /** A leap second, inserted or deleted, stepped or smeared. */
    leap: LeapSchema.optional(),
    /** This node has a time reference (ctx.clock.reference()): a stratum-1 source. */
    reference: ReferenceSchema.optional(),
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
    offsetBoundMs: spec.offsetBoundMs.unwrap().optional(),
    skewBoundPpm: spec.skewBoundPpm.unwrap().optional(),
    wanderPpm: spec.wanderPpm.unwrap().optional(),
    thermal: spec.thermal,
    maxSlewPpm: spec.maxSlewPpm.unwrap().optional(),
    maxFreqPpm: spec.maxFreqPpm.unwrap().optional(),
    leap: spec.leap,
    reference: spec.reference,
  })
  .strict()

/** A leap second is this long, ms. */
export const LEAP_MS = 1000

const WANDER_STEP_MS = 1000

/** What a reference read returns: its time and the bound on its error, ms. */
export interface ReferenceReading {
  time: number
  error: number
}

/** How far the leap has moved UTC (and every clock following it) at true time `t`, ms. */
export function leapShift(leap: ClockSpec['leap'], t: number): number {
  if (leap === undefined) return 0
  const total = leap.kind === 'insert' ? -LEAP_MS : LEAP_MS
  if (leap.smearMs === 0) return t >= leap.at ? total : 0
  const start = leap.at - leap.smearMs / 2
  return total * Math.min(1, Math.max(0, (t - start) / leap.smearMs))
}

interface Change {
  at: number
  apply(): void
}

export class SimClock extends DisciplinedClock {
  /** Skew plus the wander's random walk, ppm. */
  private oscPpm: number
  private thermalPpm = 0
  private smearPpm = 0
  private nextTick: number
  /** The leap's rate changes and jump, in time order. */
  private readonly changes: Change[] = []

  constructor(
    private readonly spec: ClockSpec,
    private readonly rng: Rng,
    /** Draws the reference's noise (a stream of its own: reads never shift the wander). */
    private readonly referenceRng: Rng = rng,
  ) {
    super(0, spec.offset, spec)
    if (spec.offsetBoundMs > 0) this.jump(spec.offsetBoundMs * (2 * rng.float() - 1))
    this.oscPpm = spec.skewPpm
    if (spec.skewBoundPpm > 0) this.oscPpm += spec.skewBoundPpm * (2 * rng.float() - 1)
    const ticking = spec.wanderPpm > 0 || spec.thermal !== undefined
    this.nextTick = ticking ? WANDER_STEP_MS : Infinity
    if (spec.thermal !== undefined) this.thermalPpm = this.thermalAt(0)
    const leap = spec.leap
    if (leap !== undefined) {
      const total = leap.kind === 'insert' ? -LEAP_MS : LEAP_MS
      if (leap.smearMs === 0) this.changes.push({ at: leap.at, apply: () => this.jump(total) })
      else {
        const start = leap.at - leap.smearMs / 2
        const ppm = (total / leap.smearMs) * 1e6
        this.changes.push({ at: start, apply: () => (this.smearPpm = ppm) })
        this.changes.push({ at: start + leap.smearMs, apply: () => (this.smearPpm = 0) })
      }
    }
    this.updateBase()
  }

  /** The node's reference read at true time `t`, or undefined if it has none. */
  reference(t: number): ReferenceReading | undefined {
    const ref = this.spec.reference
    if (ref === undefined) return undefined
    const noise = ref.jitterMs > 0 ? ref.jitterMs * (2 * this.referenceRng.float() - 1) : 0
    return { time: t + leapShift(this.spec.leap, t) + noise, error: ref.jitterMs }
  }

  protected override nextChange(): number {
    const leap = this.changes.length > 0 ? this.changes[0].at : Infinity
    return Math.min(this.nextTick, leap)
  }

  protected override applyChange(x: number): void {
    if (x === this.nextTick) {
      if (this.spec.wanderPpm > 0) this.oscPpm += this.spec.wanderPpm * this.rng.normal()
      if (this.spec.thermal !== undefined) this.thermalPpm = this.thermalAt(x)
      this.nextTick += WANDER_STEP_MS
    }
    while (this.changes.length > 0 && this.changes[0].at === x) this.changes.shift()!.apply()
    this.updateBase()
  }

  /** The thermal cycle's frequency offset, held for the second that starts at `t`. */
  private thermalAt(t: number): number {
    const th = this.spec.thermal!
    const phase = (2 * Math.PI * t) / (th.periodS * 1000) + (th.phaseDeg * Math.PI) / 180
    return th.amplitudePpm * Math.sin(phase)
  }

  private updateBase(): void {
    this.basePpm = this.oscPpm + this.thermalPpm + this.smearPpm
  }
}

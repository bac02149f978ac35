// The clock-synchronization family's shared vocabulary: the clock sample every
// sync algorithm annotates, the wall-clock stamp a consumer takes, and the
// parameters every sync algorithm shares (the step-vs-slew discipline, the skew
// bound its error bounds assume, the optional timestamping consumer). Checkers,
// metrics and exporters read runs through these names only.
import { z } from 'zod'
import type { Context } from '../../core/process'
import type { JsonValue } from '../../core/json'
import { DEFAULT_DISCIPLINE, DisciplineParamsSchema } from '../../time/discipline/policy'

/**
 * On the event where a node measured its clock: `clock.sample`. The event carries the
 * node's local reading (and, in the simulator, true time), so with it a sample says how
 * far off the clock was and how far off the algorithm believed it to be.
 */
export const SAMPLE = 'clock.sample'
export interface ClockSample {
  /**
   * Estimated local − reference time at this event's local reading, ms: positive when the
   * clock is ahead. The reference is the source's time scale (true time, through the
   * stratum hierarchy), the ensemble average (Berkeley) or, when `peer` is set, that
   * node's clock (RBS).
   */
  offset: number
  /** Bound on |estimate − actual offset| as the algorithm derives it, ms. */
  error: number
  /** What was measured: a node id (the server asked) or a word: 'reference', 'average'. */
  source?: number | string
  /** Set for an estimate relative to another node's clock: that node's id. */
  peer?: number
}

/**
 * On the event where a wall-clock consumer takes a timestamp it assumes never goes back
 * (a log line, a lease start): `wall.stamp` {ts}. The clock-monotonicity checker flags a
 * stamp earlier than one the same node took before.
 */
export const WALL_STAMP = 'wall.stamp'
export interface WallStamp {
  ts: number
}

/** The timer of the timestamping consumer. */
export const STAMP_TIMER = 'wall.stamp'

/** NTP's PHI: the frequency tolerance error bounds assume, ppm. */
export const DEFAULT_SKEW_BOUND_PPM = 15

/** The parameters every sync algorithm takes. */
export const syncFields = {
  /** How corrections are applied: step or slew (see src/time/discipline/policy.ts). */
  discipline: DisciplineParamsSchema.default(DEFAULT_DISCIPLINE),
  /** The clock's largest frequency error the algorithm assumes: error bounds grow at it, ppm. */
  skewBoundPpm: z
    .number()
    .nonnegative({ message: 'must be at least 0 (a bound on |skew| in ppm)' })
    .default(DEFAULT_SKEW_BOUND_PPM),
  /** Every stampMs of local time each node takes a wall-clock timestamp (off when absent). */
  stampMs: z.number().positive({ message: 'must be above zero' }).optional(),
}

/** Annotates a clock sample on the event being handled. */
export function annotateSample(ctx: Context<unknown, unknown>, sample: ClockSample): void {
  ctx.annotate(SAMPLE, sample as unknown as JsonValue)
}

/** Starts the timestamping consumer, if the run asks for one: a stamp now, then every stampMs. */
export function startStamps(ctx: Context<unknown, unknown>, stampMs: number | undefined): void {
  if (stampMs !== undefined) takeStamp(ctx, stampMs)
}

/** The consumer's timer: take a timestamp and rearm. */
export function takeStamp(ctx: Context<unknown, unknown>, stampMs: number): void {
  ctx.annotate(WALL_STAMP, { ts: ctx.now() })
  ctx.setTimer(STAMP_TIMER, stampMs)
}

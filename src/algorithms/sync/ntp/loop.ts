// NTP's clock discipline (RFC 5905, section 11.3, simplified): a loop that turns
// each update's offset θ (reference minus local, ms) into a phase and a frequency
// correction, and adapts the poll interval. Its states, as ntpd's:
// - nset (no update yet): the first offset is stepped or, below the step
//   threshold, slewed whole; then freq, or sync when the frequency is known
//   (stable storage kept it, as ntpd's drift file).
// - freq: updates are only watched until watchS has passed since the first;
//   then a least-squares line through the offsets seen meanwhile measures the
//   frequency error directly (its slope) and the offset now (its end), which is
//   corrected whole (stepped or slewed), and the loop enters sync. A phase-locked
//   loop left to pull in a large offset would swing its frequency past the mark.
// - sync: beyond the step threshold the clock is stepped. Otherwise the phase is
//   slewed by a share g of θ (the phase gain), no more than the slew rate can
//   absorb before the next update, so the correction has taken effect when the
//   next offset is measured. The frequency follows θ. PLL (short polls):
//   f += k·θ/μ, μ the time since the last update; with k = (2 − g) − 2·sqrt(1 − g)
//   the loop is critically damped: its error shrinks by sqrt(1 − g) per update
//   without ringing (g = 1/4: a factor 0.87, about 7 updates per e-fold). FLL
//   (polls beyond half the Allan intercept, where wander matters more than phase
//   noise): f += (the change of θ the phase correction does not explain) / μ,
//   averaged over 4 updates as ntpd does. While a correction was clamped (still
//   pulling in) the frequency is left alone: θ then says nothing about it.
// - Poll: when |θ| stays within 4 × jitter (PGATE) the poll doubles once a
//   counter passes LIMIT, otherwise it halves (RFC 5905's poll-adjust rules).
import { z } from 'zod'
import type { ClockDiscipline } from '../../../core/process'
import { decide, type DisciplinePolicy } from '../../../time/discipline/policy'
import { fitLine } from '../fit'

export const LoopParamsSchema = z
  .object({
    /** pll, fll, or hybrid: PLL below half the Allan intercept, FLL above. */
    mode: z.enum(['pll', 'fll', 'hybrid']).default('hybrid'),
    /** Share of the offset corrected per update (0 < g ≤ 1). */
    phaseGain: z.number().positive().max(1).default(0.25),
    /** The poll interval where frequency wander overtakes phase noise, s (ntpd: 2048). */
    allanS: z.number().positive().default(2048),
    /** How long the freq state watches the offset build up, s (ntpd: 900). */
    watchS: z.number().positive().default(300),
  })
  .strict()
export type LoopParams = z.infer<typeof LoopParamsSchema>

/** RFC 5905: poll-adjust gate and counter limit. */
const PGATE = 4
const LIMIT = 30
/** ntpd's FLL averaging constant. */
const FLL_AVG = 4
/** The largest frequency correction a kernel accepts, ppm. */
const MAX_FREQ_PPM = 500

export interface LoopState {
  state: 'nset' | 'freq' | 'sync'
  /** The frequency correction in force, ppm. */
  freqPpm: number
  /** log2 of the poll interval in s. */
  poll: number
  /** The poll-adjust counter. */
  count: number
  /** Local time of the last update (freq: of the first). */
  lastUpdate: number
  /** The last update's θ and the share of it corrected then. */
  lastOffset: number
  lastCorrection: number
  /** Whether the last correction was clamped by the slew rate. */
  clamped: boolean
  /** freq: the offsets seen so far, as (local time, θ). */
  watched: [number, number][]
}

/** A fresh loop; `freqPpm` from stable storage (0: unknown, to be measured). */
export function newLoop(freqPpm: number, minPoll: number): LoopState {
  return {
    state: 'nset',
    freqPpm,
    poll: minPoll,
    count: 0,
    lastUpdate: 0,
    lastOffset: 0,
    lastCorrection: 0,
    clamped: false,
    watched: [],
  }
}

/** The PLL's frequency gain that makes the loop critically damped for phase gain g. */
export function criticalFrequencyGain(g: number): number {
  return 2 - g - 2 * Math.sqrt(1 - g)
}

export interface LoopUpdate {
  /** What was done to the phase ('none' while the freq state watches). */
  how: 'step' | 'slew' | 'none'
  /** The amount this update adds to the clock, ms (a slew also carries on `pendingMs`). */
  correction: number
  /** Whether the whole offset was corrected (setting the clock), not a loop's share of it. */
  whole: boolean
  /** Whether this update changed the frequency correction (now `state.freqPpm`). */
  freqChanged: boolean
}

export interface LoopContext {
  clock: ClockDiscipline
  policy: DisciplinePolicy
  params: LoopParams
  minPoll: number
  maxPoll: number
  /** Local time until the next update, ms: a slew must be absorbed within it. */
  intervalMs: number
  /**
   * What is left of the previous slew, ms. θ is measured as if it had completed, and a new
   * slew replaces the old one (as adjtime does), so a new slew carries it on.
   */
  pendingMs: number
}

/** One clock update with offset θ (reference − local, ms) at local time `now`. */
export function loopUpdate(
  s: LoopState,
  theta: number,
  jitter: number,
  now: number,
  c: LoopContext,
): LoopUpdate {
  const mu = (now - s.lastUpdate) / 1000
  if (s.state === 'nset') {
    const how = whole(theta, c)
    restart(s, s.freqPpm === 0 ? 'freq' : 'sync', now)
    return { how, correction: theta, whole: true, freqChanged: false }
  }
  if (s.state === 'freq') {
    s.watched.push([now, theta])
    if (mu < c.params.watchS)
      return { how: 'none', correction: 0, whole: false, freqChanged: false }
    // The offset built up since the first update is all frequency error: θ's slope, in
    // ms per ms, is the correction the frequency needs (1e6 ppm).
    const { a, b } = fitLine(s.watched)
    const offset = a + b * now
    const freqChanged = setFrequency(s, s.freqPpm + b * 1e6, c)
    const how = whole(offset, c)
    restart(s, 'sync', now)
    return { how, correction: offset, whole: true, freqChanged }
  }
  if (decide(c.policy, theta) === 'step') {
    c.clock.step(theta)
    restart(s, 'sync', now)
    s.poll = c.minPoll
    return { how: 'step', correction: theta, whole: true, freqChanged: false }
  }
  let freqChanged = false
  if (!s.clamped) {
    const fll = c.params.mode === 'fll' || (c.params.mode === 'hybrid' && mu >= c.params.allanS / 2)
    // θ in ms over μ in s is 1e-3 s/s: 1000 ppm.
    const df = fll
      ? (((theta - (s.lastOffset - s.lastCorrection)) / mu) * 1000) / FLL_AVG
      : (criticalFrequencyGain(c.params.phaseGain) * theta * 1000) / mu
    freqChanged = setFrequency(s, s.freqPpm + df, c)
  }
  const done = phase(s, theta, now, c)
  adaptPoll(s, theta, jitter, c)
  return { ...done, freqChanged }
}

/** Corrects a whole offset: stepped or slewed, as the policy says. */
function whole(offset: number, c: LoopContext): 'step' | 'slew' {
  const how = decide(c.policy, offset)
  if (how === 'step') c.clock.step(offset)
  else c.clock.slew(c.pendingMs + offset)
  return how
}

function restart(s: LoopState, state: LoopState['state'], now: number): void {
  Object.assign(s, { state, lastUpdate: now, lastOffset: 0, lastCorrection: 0, clamped: false })
  s.count = 0
  s.watched = []
}

function setFrequency(s: LoopState, ppm: number, c: LoopContext): boolean {
  const clamped = Math.max(-MAX_FREQ_PPM, Math.min(MAX_FREQ_PPM, ppm))
  if (clamped === s.freqPpm) return false
  s.freqPpm = clamped
  c.clock.adjustFrequency(clamped)
  return true
}

/** Slews a share of θ, no more than the slew absorbs before the next update. */
function phase(
  s: LoopState,
  theta: number,
  now: number,
  c: LoopContext,
): Omit<LoopUpdate, 'freqChanged'> {
  const capacity = c.policy.maxSlewPpm * 1e-6 * c.intervalMs * 0.9
  const wanted = c.params.phaseGain * theta
  const correction = Math.max(-capacity, Math.min(capacity, wanted))
  c.clock.slew(c.pendingMs + correction)
  Object.assign(s, {
    lastUpdate: now,
    lastOffset: theta,
    lastCorrection: correction,
    clamped: correction !== wanted,
  })
  return { how: 'slew', correction, whole: false }
}

function adaptPoll(s: LoopState, theta: number, jitter: number, c: LoopContext): void {
  if (Math.abs(theta) < PGATE * jitter) {
    s.count += s.poll
    if (s.count > LIMIT) {
      s.count = LIMIT
      if (s.poll < c.maxPoll) {
        s.count = 0
        s.poll++
      }
    }
  } else {
    s.count -= 2 * s.poll
    if (s.count < -LIMIT) {
      s.count = -LIMIT
      if (s.poll > c.minPoll) {
        s.count = 0
        s.poll--
      }
    }
  }
}

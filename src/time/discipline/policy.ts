// The step-vs-slew policy: how a measured offset becomes a clock correction.
// An offset beyond the step threshold (128 ms, as ntpd) is stepped: the clock
// jumps, possibly backwards. A smaller one is slewed: the clock's rate changes
// by at most the maximum slew rate (500 ppm, as the Linux kernel) until the
// offset is absorbed, so 300 ms takes 300 ms / 500 ppm = 600 s. The modes
// `step` and `slew` force one behaviour, for demonstrations. The same policy
// drives the sync algorithms in the simulator and the live lab clock; the
// clock's slew rate is part of it, since a loop must know how fast its
// corrections take effect.
import { z } from 'zod'
import type { ClockDiscipline } from '../../core/process'

/** ntpd's step threshold (STEPT), ms. */
export const STEP_THRESHOLD_MS = 128
/** The Linux kernel's largest slew rate (adjtime), ppm. */
export const MAX_SLEW_PPM = 500

export const DisciplineModeSchema = z.enum(['auto', 'step', 'slew'])
export type DisciplineMode = z.infer<typeof DisciplineModeSchema>

const policyFields = {
  /** auto: step beyond the threshold, slew below it; step / slew: always. */
  mode: DisciplineModeSchema,
  /** Offsets larger than this (in magnitude) are stepped in auto mode, ms. */
  stepThresholdMs: z.number().positive({ message: 'must be above zero' }),
  /** The clock's slew rate, ppm: how fast a slew absorbs an offset (the lab clock's own rate). */
  maxSlewPpm: z.number().positive({ message: 'must be above zero' }),
}

const defaults = {
  mode: policyFields.mode.default('auto'),
  stepThresholdMs: policyFields.stepThresholdMs.default(STEP_THRESHOLD_MS),
  maxSlewPpm: policyFields.maxSlewPpm.default(MAX_SLEW_PPM),
}

export const DisciplinePolicySchema = z.object(defaults).strict()
export type DisciplinePolicy = z.infer<typeof DisciplinePolicySchema>

/**
 * A sync algorithm's `discipline` parameter: the policy every node follows, and per-node
 * overrides keyed by node id (a scenario can show one node stepping and another slewing).
 */
export const DisciplineParamsSchema = z
  .object({
    ...defaults,
    nodes: z
      .record(
        z.string().regex(/^\d+$/, 'keys are node ids'),
        z
          .object({
            mode: policyFields.mode.optional(),
            stepThresholdMs: policyFields.stepThresholdMs.optional(),
            maxSlewPpm: policyFields.maxSlewPpm.optional(),
          })
          .strict(),
      )
      .default({}),
  })
  .strict()
export type DisciplineParams = z.infer<typeof DisciplineParamsSchema>

export const DEFAULT_DISCIPLINE: DisciplineParams = DisciplineParamsSchema.parse({})

/** The policy node `self` follows. */
export function policyFor(params: DisciplineParams, self: number): DisciplinePolicy {
  const own = params.nodes[String(self)]
  return {
    mode: own?.mode ?? params.mode,
    stepThresholdMs: own?.stepThresholdMs ?? params.stepThresholdMs,
    maxSlewPpm: own?.maxSlewPpm ?? params.maxSlewPpm,
  }
}

export type Correction = 'step' | 'slew'

/** Whether a correction of `deltaMs` is stepped or slewed under `policy`. */
export function decide(policy: DisciplinePolicy, deltaMs: number): Correction {
  if (policy.mode !== 'auto') return policy.mode
  return Math.abs(deltaMs) > policy.stepThresholdMs ? 'step' : 'slew'
}

/**
 * Corrects `clock` by `deltaMs` (add this to the clock: reference − local) as the policy
 * says; a slew may be given a smaller share of the offset (`slewFraction`, the phase gain of
 * a loop filter), a step always takes the whole offset. Returns what was done.
 */
export function correct(
  clock: Pick<ClockDiscipline, 'step' | 'slew'>,
  policy: DisciplinePolicy,
  deltaMs: number,
  slewFraction = 1,
): Correction {
  const how = decide(policy, deltaMs)
  if (how === 'step') clock.step(deltaMs)
  else clock.slew(deltaMs * slewFraction)
  return how
}

/** How long slewing `deltaMs` takes at `maxSlewPpm`, ms: |delta| / rate. */
export function slewDurationMs(deltaMs: number, maxSlewPpm = MAX_SLEW_PPM): number {
  return Math.abs(deltaMs) / (maxSlewPpm * 1e-6)
}

/** How much of a slew of `deltaMs` started `elapsedMs` ago is still to come, ms (signed). */
export function slewLeft(deltaMs: number, elapsedMs: number, maxSlewPpm = MAX_SLEW_PPM): number {
  const done = Math.max(0, elapsedMs) * maxSlewPpm * 1e-6
  return Math.abs(deltaMs) <= done ? 0 : deltaMs - Math.sign(deltaMs) * done
}

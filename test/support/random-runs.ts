// What the families' property tests draw their random runs with: how many
// seeds (CLOCKLAB_SEEDS, default 2000), uniform draws, delay tables, and
// crash-recovery schedules, all from one seeded stream, so that a seed alone
// gives the run.
import type { Rng } from '../../src/core/random'
import type { ScenarioInput } from '../../src/sim/scenario'

/** How many seeds a property test runs per algorithm. */
export const SEEDS = Number(process.env.CLOCKLAB_SEEDS ?? 2000)

/** A uniform draw in [lo, hi). */
export const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.float()

/** A delay table of mostly 1-10 ms, with one or two spikes of 50-200 ms half the time. */
export function delaysWithSpikes(rng: Rng): number[] {
  const samples = Array.from({ length: 8 }, () => between(rng, 1, 10))
  if (rng.float() < 0.5)
    samples.push(...Array.from({ length: 1 + rng.int(2) }, () => between(rng, 50, 200)))
  return samples
}

/**
 * A delay table that stays below `dmax` (a bound the algorithm assumes): six
 * short delays of up to 10 ms and up to two spikes between dmax/2 and dmax.
 */
export function delaysBelow(rng: Rng, dmax: number): number[] {
  return [
    ...Array.from({ length: 6 }, () => between(rng, 1, Math.min(10, dmax))),
    ...Array.from({ length: rng.int(3) }, () => between(rng, dmax / 2, dmax)),
  ]
}

type Fault = NonNullable<ScenarioInput['faults']>[number]

export interface FaultPlan {
  nodes: number
  count: number
  /** Window of fault times, ms. */
  from: number
  to: number
  minUp: number
  /** Chance that a crash hits the highest process up (the coordinator, for elections). */
  highestBias?: number
}

/**
 * A crash-recovery schedule (detectors, elections): `count` crashes and
 * recoveries at random times in the window, never leaving fewer than `minUp`
 * processes up.
 */
export function randomFaults(rng: Rng, plan: FaultPlan): Fault[] {
  const times = Array.from(
    { length: plan.count },
    () => plan.from + (plan.to - plan.from) * rng.float(),
  )
  times.sort((a, b) => a - b)
  const up = new Array<boolean>(plan.nodes).fill(true)
  const faults: Fault[] = []
  for (const at of times) {
    const alive = up.flatMap((u, k) => (u ? [k] : []))
    const down = up.flatMap((u, k) => (u ? [] : [k]))
    const crash = down.length === 0 || (alive.length > plan.minUp && rng.float() < 0.6)
    if (crash) {
      const node =
        rng.float() < (plan.highestBias ?? 0) ? Math.max(...alive) : alive[rng.int(alive.length)]
      up[node] = false
      faults.push({ at, crash: node })
    } else {
      const node = down[rng.int(down.length)]
      up[node] = true
      faults.push({ at, recover: node })
    }
  }
  return faults
}

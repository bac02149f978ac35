// Random crash-recovery schedules for the property tests of the detectors and
// the elections, drawn from a seeded stream: crashes and recoveries at random
// times in a window, never leaving fewer than `minUp` processes up.
import type { Rng } from '../../../src/core/random'
import type { ScenarioInput } from '../../../src/sim/scenario'

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

// Random runs for the broadcast family's tests, drawn from a seed within an
// algorithm's assumptions (its links and the crashes it tolerates). Running them
// and reading their traces: ../../support/simulate.ts.
import { SETTLE_MS } from '../../../src/check/broadcast/agreement'
import type { NodeId } from '../../../src/core/process'
import { Rng } from '../../../src/core/random'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { between, delaysWithSpikes } from '../../support/random-runs'

/** What an algorithm assumes of its environment, as its top comment states. */
export interface Assumptions {
  /** Fair-loss links: loss, duplication and healed partitions; otherwise reliable links. */
  fairLoss: boolean
  /** FIFO links only; otherwise links may reorder. */
  fifo: boolean
  /** Which processes may crash (stop). */
  crashes: 'none' | 'any' | 'not-node-0'
}

/** The workload broadcasts until here; the run then settles, and a last broadcast ends it. */
const WORKLOAD_UNTIL = 500
const UNTIL = WORKLOAD_UNTIL + SETTLE_MS + 100

/** A random run of `algorithm` within `a`, drawn from `seed` alone. */
export function randomScenario(algorithm: string, a: Assumptions, seed: number): ScenarioInput {
  const rng = Rng.fromSeed(seed)
  const nodes = 3 + rng.int(3)
  const fifo = a.fifo || rng.float() < 0.3
  const samples = delaysWithSpikes(rng)
  const crashable = Array.from({ length: nodes }, (_, k) => k).filter(
    (k) => a.crashes === 'any' || (a.crashes === 'not-node-0' && k !== 0),
  )
  const faults: ScenarioInput['faults'] = []
  const crashed: NodeId[] = []
  for (let c = rng.int(nodes - 1); c > 0 && crashable.length > 0; c--) {
    const [k] = crashable.splice(rng.int(crashable.length), 1)
    crashed.push(k)
    faults.push({ at: between(rng, 0, WORKLOAD_UNTIL), crash: k })
  }
  if (a.fairLoss && rng.float() < 0.3) {
    const at = between(rng, 0, WORKLOAD_UNTIL)
    const cut = 1 + rng.int(nodes - 1)
    faults.push({ at, partition: [Array.from({ length: cut }, (_, k) => k)] })
    faults.push({ at: at + between(rng, 10, 300), heal: true })
  }
  const last = Array.from({ length: nodes }, (_, k) => k).find((k) => !crashed.includes(k)) ?? 0
  return {
    algorithm,
    nodes,
    seed,
    until: UNTIL,
    network: {
      default: {
        delay: { dist: 'table', samples },
        loss: a.fairLoss ? between(rng, 0, 0.3) : 0,
        duplicate: a.fairLoss ? between(rng, 0, 0.2) : 0,
        fifo,
        reorder: fifo ? 0 : between(rng, 0, 0.5),
      },
    },
    faults,
    workload: { rate: between(rng, 5, 20), until: WORKLOAD_UNTIL },
    // Marks the end of the run, so the agreement checker judges every workload message.
    commands: [{ at: UNTIL - 1, node: last, command: { kind: 'broadcast' } }],
  }
}

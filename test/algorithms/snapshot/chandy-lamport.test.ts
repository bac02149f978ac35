// Property test for the Chandy-Lamport snapshot: over CLOCKLAB_SEEDS seeds
// (default 2000), each a random bank run within the algorithm's assumptions
// (reliable FIFO links with delay spikes, no crashes): 2-5 nodes transfer money
// at random while 1-3 snapshots, started by random nodes at random times (some
// at once), run alongside those the workload starts. Every snapshot completes
// at every node, and the snapshot-consistency checker finds nothing.
import { describe, expect, it } from 'vitest'
import {
  SNAPSHOT_CHANNEL,
  SNAPSHOT_DONE,
  type SnapshotChannelNote,
} from '../../../src/algorithms/snapshot/notes'
import { Rng } from '../../../src/core/random'
import { isProcessEvent } from '../../../src/core/trace'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { between, delaysWithSpikes, SEEDS } from '../../support/random-runs'
import { simulate } from '../../support/simulate'

function randomBank(seed: number): ScenarioInput {
  const rng = Rng.fromSeed(seed)
  const nodes = 2 + rng.int(4)
  const samples = delaysWithSpikes(rng)
  const snapshots = Array.from({ length: 1 + rng.int(3) }, () => ({
    at: rng.float() < 0.3 ? 300 : between(rng, 0, 600),
    node: rng.int(nodes),
    command: { kind: 'snapshot' },
  }))
  return {
    algorithm: 'chandy-lamport',
    nodes,
    seed,
    until: 2000,
    params: { balance: 10 + rng.int(100) },
    network: { default: { delay: { dist: 'table', samples }, fifo: true } },
    workload: { rate: between(rng, 10, 60), until: 800 },
    commands: snapshots,
  }
}

describe('chandy-lamport', () => {
  it(`records a consistent cut in ${SEEDS} random bank runs`, () => {
    console.log(`snapshot chandy-lamport: ${SEEDS} seeds`)
    let snapshots = 0
    let inFlight = 0
    for (let seed = 1; seed <= SEEDS; seed++) {
      const input = randomBank(seed)
      const run = simulate(input)
      const failed = run.verdicts.filter((v) => !v.ok)
      if (failed.length > 0)
        expect.fail(
          `seed ${seed}: ${failed.map((v) => `${v.checker}: ${v.violations[0].message}`).join('; ')}`,
        )
      expect(run.verdicts.map((v) => v.checker)).toContain('snapshot-consistency')
      const done = new Map<string, number>()
      for (const e of run.trace.events) {
        if (!isProcessEvent(e)) continue
        for (const note of e.notes ?? []) {
          if (note.kind === SNAPSHOT_DONE) {
            const id = (note.data as { snapshot: string }).snapshot
            done.set(id, (done.get(id) ?? 0) + 1)
          }
          if (
            note.kind === SNAPSHOT_CHANNEL &&
            (note.data as SnapshotChannelNote).messages.length > 0
          )
            inFlight++
        }
      }
      expect(done.size).toBeGreaterThanOrEqual(input.commands?.length ?? 0)
      for (const [id, count] of done)
        expect(count, `seed ${seed}, snapshot ${id}`).toBe(input.nodes)
      snapshots += done.size
    }
    // Many snapshots caught money in flight: the channel states were not trivially empty.
    expect(inFlight).toBeGreaterThan(SEEDS / 2)
    console.log(
      `snapshot chandy-lamport: ${snapshots} snapshots, ${inFlight} non-empty channel states`,
    )
  }, 600_000)
})

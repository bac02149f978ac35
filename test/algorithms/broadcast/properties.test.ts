// Property tests for the broadcast family: over CLOCKLAB_SEEDS seeds (default
// 2000) per algorithm, each seed a random run within the algorithm's own
// assumptions (see each file's top comment), the checkers of every property it
// guarantees report no violation. Runs: 3-5 nodes, a random workload for 500 ms,
// delay spikes, and per algorithm loss, duplication, healed partitions, non-FIFO
// reordering and crashes where it tolerates them; a last broadcast 1.6 s in ends
// the run, so the agreement checker judges every workload message.
import { describe, expect, it } from 'vitest'
import { broadcastGuarantees } from '../../../src/algorithms/broadcast'
import { SEEDS } from '../../support/random-runs'
import { check } from '../../support/simulate'
import { randomScenario, type Assumptions } from './harness'

const cases: { algorithm: string; assumptions: Assumptions }[] = [
  // Reliable links; integrity holds whoever crashes.
  {
    algorithm: 'best-effort-broadcast',
    assumptions: { fairLoss: false, fifo: false, crashes: 'any' },
  },
  { algorithm: 'reliable-broadcast', assumptions: { fairLoss: true, fifo: false, crashes: 'any' } },
  { algorithm: 'fifo-broadcast', assumptions: { fairLoss: true, fifo: false, crashes: 'any' } },
  { algorithm: 'causal-broadcast', assumptions: { fairLoss: true, fifo: false, crashes: 'any' } },
  {
    algorithm: 'total-order-lamport',
    assumptions: { fairLoss: false, fifo: true, crashes: 'none' },
  },
  // The sequencer is node 0 (the default), which never crashes.
  {
    algorithm: 'total-order-sequencer',
    assumptions: { fairLoss: false, fifo: false, crashes: 'not-node-0' },
  },
  {
    algorithm: 'fifo-total-order',
    assumptions: { fairLoss: false, fifo: false, crashes: 'not-node-0' },
  },
]

describe.each(cases)('$algorithm', ({ algorithm, assumptions }) => {
  it(`guarantees its properties over ${SEEDS} random runs within its assumptions`, () => {
    console.log(`broadcast ${algorithm}: ${SEEDS} seeds`)
    const claimed = broadcastGuarantees.get(algorithm) ?? []
    const seen = { messages: 0, dropped: 0, duplicated: 0 }
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { verdicts, stats } = check(randomScenario(algorithm, assumptions, seed))
      expect(verdicts.map((v) => v.checker)).toEqual(expect.arrayContaining([...claimed]))
      const failed = verdicts.filter((v) => !v.ok)
      if (failed.length > 0)
        expect.fail(
          `seed ${seed}: ${failed.map((v) => `${v.checker}: ${v.violations[0].message}`).join('; ')}`,
        )
      seen.messages += stats.messages
      seen.dropped += stats.dropped
      seen.duplicated += stats.duplicated
    }
    // The runs did exercise the faults they were meant to.
    expect(seen.messages).toBeGreaterThan(SEEDS * 10)
    if (assumptions.fairLoss) expect(seen.duplicated).toBeGreaterThan(0)
    if (assumptions.crashes !== 'none' || assumptions.fairLoss)
      expect(seen.dropped).toBeGreaterThan(0)
  }, 600_000)
})

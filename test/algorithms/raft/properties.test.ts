// Property tests for Raft: over CLOCKLAB_SEEDS seeds (default 2000), each a
// random run with crashes, restarts, partitions, loss, duplicates, reordering
// and delay (random-runs.ts) that ends with a quiet, connected stretch:
// - safety: no checker finds a violation of election safety, log matching,
//   leader completeness, state machine safety or linearizability;
// - liveness: in the quiet stretch a leader emerges and commands commit
//   (liveness.ts says exactly what is asked).
import { describe, expect, it } from 'vitest'
import { KV_RETURN, RAFT_LEADER } from '../../../src/algorithms/raft/notes'
import type { Trace } from '../../../src/core/trace'
import { notesOf } from '../../../src/core/trace'
import { simulate } from '../../support/simulate'
import { livenessProblems } from './liveness'
import { randomRaftRun } from './random-runs'

const SEEDS = Number(process.env.CLOCKLAB_SEEDS ?? 2000)

const count = (trace: Trace, kind: string) =>
  trace.events.reduce((k, e) => k + notesOf(e, kind).length, 0)

describe('raft: random runs with crashes, partitions, loss and delay', () => {
  it('no safety violation, linearizable, and live once the network is quiet', () => {
    console.log(`raft properties: ${SEEDS} seeds`)
    let answered = 0
    let elected = 0
    for (let seed = 1; seed <= SEEDS; seed++) {
      const input = randomRaftRun(seed)
      const run = simulate(input)
      expect(
        run.verdicts.filter((v) => !v.ok),
        `seed ${seed}`,
      ).toEqual([])
      expect(
        livenessProblems(run.trace, input.network?.default?.loss === 0),
        `seed ${seed}`,
      ).toEqual([])
      answered += count(run.trace, KV_RETURN)
      elected += count(run.trace, RAFT_LEADER)
    }
    // The runs do exercise Raft: several elections and dozens of answered requests each.
    expect(elected).toBeGreaterThan(2 * SEEDS)
    expect(answered).toBeGreaterThan(20 * SEEDS)
  }, 900_000)
})

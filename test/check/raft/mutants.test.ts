// Broken Rafts, caught by the checkers within the property tests' seed budget
// (CLOCKLAB_SEEDS, default 2000) over the same random fault schedules:
// - without the election restriction a server with a short log can win an
//   election and overwrite committed entries;
// - a leader that commits entries of earlier terms by counting replicas can
//   commit an entry that a later leader overwrites (the paper's Figure 8).
// Each search stops at the first seed where a checker fires, and that seed is
// clean with the real rules. The Figure 8 teaching scenario, run with the
// second mutant, loses its committed entry too.
import { describe, expect, it } from 'vitest'
import { createRaft } from '../../../src/algorithms/raft/raft'
import { paperRules } from '../../../src/algorithms/raft/rules'
import { findScenario, loadScenarioFile } from '../../../src/lab/scenarios'
import { simulate, simulateWith } from '../../support/simulate'
import { randomRaftRun } from '../../algorithms/raft/random-runs'

const SEEDS = Number(process.env.CLOCKLAB_SEEDS ?? 2000)

const mutants = [
  {
    name: 'votes without the election restriction',
    algorithm: createRaft({ ...paperRules, candidateLogOk: () => true }),
  },
  {
    name: 'commits entries of earlier terms by counting replicas',
    algorithm: createRaft({ ...paperRules, mayCommitByCount: () => true }),
  },
]

const failing = (verdicts: { checker: string; ok: boolean }[]) =>
  verdicts.filter((v) => !v.ok).map((v) => v.checker)

describe('raft mutants are caught', () => {
  for (const m of mutants)
    it(`a Raft that ${m.name}, within ${SEEDS} seeds`, () => {
      let caught: { seed: number; checkers: string[] } | undefined
      for (let seed = 1; seed <= SEEDS && caught === undefined; seed++) {
        const checkers = failing(simulateWith(m.algorithm, randomRaftRun(seed)).verdicts)
        if (checkers.length > 0) caught = { seed, checkers }
      }
      console.log(
        `raft mutant that ${m.name}: caught at seed ${caught?.seed} by ${caught?.checkers}`,
      )
      expect(caught, `not caught in ${SEEDS} seeds`).toBeDefined()
      const { seed, checkers } = caught as { seed: number; checkers: string[] }
      expect(checkers).toContain('leader-completeness')
      expect(failing(simulate(randomRaftRun(seed)).verdicts)).toEqual([])
    }, 300_000)

  it('the Figure 8 scenario loses a committed entry when earlier terms count', () => {
    const scenario = loadScenarioFile(findScenario('raft-figure-8') as string)
    expect(failing(simulate(scenario).verdicts)).toEqual([])
    const broken = simulateWith(mutants[1].algorithm, scenario)
    expect(failing(broken.verdicts)).toEqual(['leader-completeness', 'state-machine-safety'])
    const v = broken.verdicts.find((x) => x.checker === 'leader-completeness')
    expect(v?.violations[0].message).toContain('node 4 becomes leader of term 15')
  })
})

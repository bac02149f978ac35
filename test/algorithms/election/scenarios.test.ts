// The shipped election scenarios: each passes every checker (agreement is
// judged: they run past the settle time after their last fault), and ends with
// the coordinator its 'observe' text promises.
import { notesOf } from '../../../src/core/trace'
import { describe, expect, it } from 'vitest'
import { LEADER, type LeaderNote } from '../../../src/algorithms/election/notes'
import { findScenario, loadScenarioFile } from '../../../src/lab/scenarios'
import { noted, simulate } from '../../support/simulate'

function lastLeaders(name: string) {
  const r = simulate(loadScenarioFile(findScenario(name) as string))
  expect(r.verdicts.filter((v) => !v.ok)).toEqual([])
  const last = new Map<number, number>()
  for (const e of noted(r.trace, LEADER)) last.set(e.node, notesOf<LeaderNote>(e, LEADER)[0].leader)
  return last
}

describe('shipped election scenarios', () => {
  it("election-bully: node 4 is back as everyone's coordinator", () => {
    expect(lastLeaders('election-bully')).toEqual(new Map([0, 1, 2, 3, 4].map((k) => [k, 4])))
  })

  it('election-ring: node 2 is the coordinator of the live nodes', () => {
    const last = lastLeaders('election-ring')
    for (const k of [0, 1, 2]) expect(last.get(k)).toBe(2)
  })
})

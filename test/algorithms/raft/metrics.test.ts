// Raft's metrics on the shipped scenarios: the failover the leader-crash
// scenario shows, and the latencies and message counts of normal operation
// against what the protocol implies (a commit takes a round trip to the
// fastest majority, a client's request two more message delays).
import { describe, expect, it } from 'vitest'
import type { Trace } from '../../../src/core/trace'
import { findScenario, loadScenarioFile } from '../../../src/lab/scenarios'
import { raftMetrics } from '../../../src/lab/metrics/raft'
import { summarize } from '../../../src/lab/metrics/summary'
import { simulate } from '../../support/simulate'

const trace = (name: string): Trace =>
  simulate(loadScenarioFile(findScenario(name) as string)).trace

describe('raft metrics', () => {
  it('measures the failover after the leader crash: S2 elected 171 ms after S1 crashed', () => {
    const m = raftMetrics(trace('raft-leader-crash'))
    expect(m.failovers).toHaveLength(1)
    expect(m.failovers[0]).toMatchObject({ leader: 0, term: 1, crashTime: 1000, newLeader: 1 })
    expect(m.failovers[0].ms).toBeCloseTo(171, 0)
  })

  it('leaves a failover open when no leader follows', () => {
    const m = raftMetrics(
      simulate({
        algorithm: 'raft',
        nodes: 4,
        until: 2000,
        faults: [
          { at: 1000, crash: 0 },
          { at: 1000, crash: 1 },
        ],
      }).trace,
    )
    expect(m.failovers).toHaveLength(1)
    expect(m.failovers[0].ms).toBeUndefined()
  })

  it('measures commits in about two message delays and answers in about four', () => {
    const m = raftMetrics(trace('raft-normal'))
    const commit = summarize(m.commitMs).mean / m.meanDelayMs
    // The median: the first requests wait for the first election.
    const client = [...m.clientMs].sort((a, b) => a - b)[m.clientMs.length >> 1] / m.meanDelayMs
    expect(m.commitMs.length).toBe(m.committedCommands)
    expect(commit).toBeGreaterThan(1)
    expect(commit).toBeLessThan(2.5)
    expect(client).toBeGreaterThan(3)
    expect(client).toBeLessThan(5)
    // Each command: request, reply, and a round of AppendEntries to two followers; plus heartbeats.
    expect(m.messages / m.committedCommands).toBeGreaterThan(6)
  })
})

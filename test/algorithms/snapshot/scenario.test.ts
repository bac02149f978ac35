// The snapshot teaching scenario shows what its `observe` text promises: the
// channel states hold the transfers in flight, and the recorded money adds up.
// A snapshot costs one marker per directed channel, as theory says.
import { expect, it } from 'vitest'
import {
  SNAPSHOT_CHANNEL,
  SNAPSHOT_LOCAL,
  type SnapshotChannelNote,
  type SnapshotLocalNote,
} from '../../../src/algorithms/snapshot/notes'
import { isProcessEvent } from '../../../src/core/trace'
import { findScenario, loadScenarioFile } from '../../../src/lab/scenarios'
import { simulate } from '../../support/simulate'

it('snapshot-chandy-lamport: in-flight transfers are recorded and money is conserved', () => {
  const r = simulate(loadScenarioFile(findScenario('snapshot-chandy-lamport') as string))
  expect(r.verdicts.find((v) => v.checker === 'snapshot-consistency')?.ok).toBe(true)
  const notes = r.trace.events.flatMap((e) => (isProcessEvent(e) ? (e.notes ?? []) : []))
  const balances = notes
    .filter((n) => n.kind === SNAPSHOT_LOCAL)
    .map((n) => (n.data as SnapshotLocalNote).state.balance)
  const channels = notes
    .filter((n) => n.kind === SNAPSHOT_CHANNEL)
    .map((n) => n.data as SnapshotChannelNote)
    .filter((c) => c.messages.length > 0)
  expect(balances).toEqual([100, 65, 135, 60])
  expect(channels.map((c) => [c.from, c.messages.map((m) => m.amount)])).toEqual([
    [2, [15]],
    [0, [25]],
  ])
  expect(balances.reduce((a, b) => a + b) + 25 + 15).toBe(400)
})

it('sends one marker per channel per snapshot: N(N-1)', () => {
  for (const nodes of [2, 3, 4, 5]) {
    const r = simulate({
      algorithm: 'chandy-lamport',
      nodes,
      workload: false,
      commands: [{ at: 10, node: nodes - 1, command: { kind: 'snapshot' } }],
    })
    expect(r.verdicts.every((v) => v.ok)).toBe(true)
    const markers = r.trace.events.filter(
      (e) => e.kind === 'send' && (e.payload as { kind?: string }).kind === 'marker',
    )
    expect(markers.flatMap((e) => (e.kind === 'send' ? e.to : []))).toHaveLength(
      nodes * (nodes - 1),
    )
  }
})

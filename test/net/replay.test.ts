// Record and replay: a live Ricart-Agrawala run on loopback becomes a scenario that the
// simulator runs deterministically, with the run's commands and measured delays, and
// that can be forked with other parameters.
import { afterEach, describe, expect, it } from 'vitest'
import { isProcessEvent, notesOf } from '../../src/core/trace'
import { planExperiment, runExperiment, type LabNode } from '../../src/lab/experiment'
import { scenarioFromLiveTrace } from '../../src/lab/replay'
import { runScenario } from '../../src/sim/run'
import { ScenarioSchema } from '../../src/sim/scenario'
import { startLab, until } from './lab-harness'

let labs: LabNode[] = []
afterEach(() => {
  for (const l of labs) l.peer.kill()
  labs = []
})

describe('record and replay', () => {
  it('replays a live run in the simulator with its commands and delays, deterministically', async () => {
    labs = await startLab(3)
    await until(() => labs.every((l) => l.peer.members().length === 2))
    const spec = planExperiment(labs[0], {
      algorithm: 'ricart-agrawala',
      durationMs: 1200,
      workloadRate: 8,
      workloadMs: 800,
    })
    const live = await runExperiment(labs[0], spec)
    const input = scenarioFromLiveTrace(live.trace)
    const scenario = ScenarioSchema.parse(JSON.parse(JSON.stringify(input)))
    const liveCommands = live.trace.events.filter((e) => e.kind === 'command').length
    expect(scenario.commands.length).toBe(liveCommands)
    expect(scenario.network.default.delay.dist).toBe('table')
    const a = runScenario(scenario, { record: true, check: true })
    const b = runScenario(scenario, { record: true })
    expect(JSON.stringify(a.trace)).toBe(JSON.stringify(b.trace))
    expect(a.trace?.events.filter((e) => e.kind === 'command').length).toBe(liveCommands)
    expect(a.verdicts?.filter((v) => !v.ok)).toEqual([])
    // Forked: the same recording with a longer hold in the critical section.
    const fork = runScenario({ ...scenario, params: { holdMs: 60 } }, { record: true, check: true })
    const events = (fork.trace?.events ?? []).filter(isProcessEvent)
    const enter = events.find((e) => notesOf(e, 'cs.enter').length > 0)
    const exit = events.find(
      (e) => e.i > (enter?.i ?? 0) && e.node === enter?.node && notesOf(e, 'cs.exit').length > 0,
    )
    expect((exit?.time ?? 0) - (enter?.time ?? 0)).toBeCloseTo(60, 0)
    expect(fork.verdicts?.find((v) => v.checker === 'mutual-exclusion')?.ok).toBe(true)
  })
})

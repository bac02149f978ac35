// The shipped failure-detection scenarios: each passes every checker, and shows
// what its 'observe' text promises.
import { describe, expect, it } from 'vitest'
import { detectMetrics } from '../../../src/lab/metrics/detect'
import { findScenario, loadScenarioFile } from '../../../src/lab/scenarios'
import { simulate } from '../../support/simulate'

const run = (name: string) => simulate(loadScenarioFile(findScenario(name) as string))

describe('shipped detect scenarios', () => {
  it('detect-ping: the crash is suspected by all three peers, the recovery restores it', () => {
    const r = run('detect-ping')
    expect(r.verdicts.filter((v) => !v.ok)).toEqual([])
    const m = detectMetrics(r.trace)
    expect(m.detections.map((d) => d.observer).sort()).toEqual([0, 1, 3])
    expect(m.falseSuspicions).toEqual([])
  })

  it('detect-heartbeat: loss makes false suspicions; the crash is still suspected by all', () => {
    const r = run('detect-heartbeat')
    expect(r.verdicts.filter((v) => !v.ok)).toEqual([])
    const m = detectMetrics(r.trace)
    expect(m.falseSuspicions.length).toBeGreaterThan(3)
    expect(m.detections.filter((d) => d.suspectedAt !== undefined)).toHaveLength(3)
  })
})

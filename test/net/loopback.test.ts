// The live lab on loopback, in one process: several nodes on 127.0.0.1 with their own
// ports find each other, run algorithms of the registry over authenticated UDP, and
// the starter's merged trace is a valid trace whose checkers pass.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SAMPLE, type ClockSample } from '../../src/algorithms/sync/notes'
import { notesOf } from '../../src/core/trace'
import { parseTrace } from '../../src/core/trace-schema'
import { LabNode, planExperiment, runExperiment } from '../../src/lab/experiment'
import { startDurableLab, startLab, until } from './lab-harness'

let labs: LabNode[] = []
afterEach(() => {
  for (const l of labs) l.peer.kill()
  labs = []
})

describe('live lab on loopback', () => {
  it('discovers every peer, and sees a goodbye and a silent crash', async () => {
    labs = await startLab(4)
    await until(() => labs.every((l) => l.peer.members().length === 3))
    const events: string[] = []
    labs[0].peer.on('membership', (e) => events.push(`${e.kind} ${e.member.name}`))
    await labs[1].peer.close()
    labs[2].peer.kill()
    await until(() => labs[0].peer.members().length === 1)
    expect(events.sort()).toEqual(['crash ws2', 'leave ws1'])
    await until(() => labs[3].peer.members().length === 1)
    expect(labs[3].peer.members().map((m) => m.name)).toEqual(['ws0'])
  })

  it('does not see a lab with another passphrase', async () => {
    labs = await startLab(2)
    const other = await startLab(1, {}, 'test-lab', 'another passphrase')
    labs.push(...other)
    await until(() => labs[0].peer.members().length === 1)
    await new Promise((r) => setTimeout(r, 200))
    expect(labs[0].peer.members().map((m) => m.name)).toEqual(['ws1'])
    expect(other[0].peer.members()).toEqual([])
  })

  it('runs Ricart-Agrawala across the nodes with every mutex checker green', async () => {
    labs = await startLab(3)
    await until(() => labs.every((l) => l.peer.members().length === 2))
    const spec = planExperiment(labs[0], {
      algorithm: 'ricart-agrawala',
      durationMs: 1500,
      workloadRate: 8,
      workloadMs: 900,
    })
    const result = await runExperiment(labs[0], spec, { check: true })
    const trace = parseTrace(JSON.stringify(result.trace))
    expect(trace.meta.source).toBe('live')
    expect(result.missing).toEqual([])
    expect(result.cut).toEqual([0, 0, 0])
    const entries = trace.events.filter(
      (e) => 'notes' in e && e.notes?.some((n) => n.kind === 'cs.enter'),
    )
    expect(entries.length).toBeGreaterThan(3)
    const failed = result.verdicts?.filter((v) => !v.ok) ?? []
    expect(failed).toEqual([])
    expect(result.verdicts?.map((v) => v.checker)).toContain('mutual-exclusion')
  })
})

describe('live failover on loopback', () => {
  it('elects a new bully coordinator after the leader dies; its restart uploads its record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clocklab-lan-'))
    try {
      const lab = await startDurableLab(3, 'failover', dir)
      labs = lab.labs
      await until(() => labs.every((l) => l.peer.members().length === 2))
      labs.sort((a, b) => (a.peer.id < b.peer.id ? -1 : 1)) // node k is labs[k]
      const spec = planExperiment(labs[0], {
        algorithm: 'bully',
        durationMs: 2500,
        workloadRate: 0,
      })
      const running = runExperiment(labs[0], spec, { check: true })
      const leaderOf = (k: number) =>
        labs[k]
          .node(spec.id)
          ?.records.flatMap((r) => ('notes' in r.e ? (r.e.notes ?? []) : []))
          .filter((n) => n.kind === 'leader')
          .map((n) => (n.data as { leader: number }).leader)
          .at(-1)
      await until(() => leaderOf(0) === 2 && leaderOf(1) === 2)
      const dead = labs[2]
      dead.kill()
      await until(() => leaderOf(0) === 1 && leaderOf(1) === 1)
      // The killed workstation starts ClockLab again: it uploads what its process recorded.
      labs[2] = await lab.restart(dead)
      const result = await running
      expect(result.lost).toEqual([2])
      expect(result.missing).toEqual([])
      expect(result.cut).toEqual([0, 0, 0])
      const trace = parseTrace(JSON.stringify(result.trace))
      expect(trace.events.some((e) => e.kind === 'crash' && e.node === 2)).toBe(true)
      expect(result.verdicts?.filter((v) => !v.ok)).toEqual([])
      expect(result.verdicts?.map((v) => v.checker)).toContain('leader-agreement')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('raft and clock sync, live on loopback', () => {
  it('runs Raft with a linearizable key-value history and every Raft checker green', async () => {
    labs = await startLab(3)
    await until(() => labs.every((l) => l.peer.members().length === 2))
    const spec = planExperiment(labs[0], {
      algorithm: 'raft',
      durationMs: 3000,
      workloadRate: 5,
      workloadMs: 2000,
    })
    const result = await runExperiment(labs[0], spec, { check: true })
    const trace = parseTrace(JSON.stringify(result.trace))
    expect(trace.events.filter((e) => e.kind === 'command').length).toBeGreaterThan(5)
    expect(result.verdicts?.filter((v) => !v.ok)).toEqual([])
    expect(result.verdicts?.map((v) => v.checker)).toContain('linearizability')
  })

  it('runs RBS over the lab: peers sharing one clock estimate offsets near 0', async () => {
    labs = await startLab(3)
    await until(() => labs.every((l) => l.peer.members().length === 2))
    const spec = planExperiment(labs[0], {
      algorithm: 'rbs',
      params: { periodMs: 100 },
      durationMs: 2500,
      workloadRate: 0,
    })
    const result = await runExperiment(labs[0], spec, { check: true })
    const offsets = result.trace.events.flatMap((e) =>
      notesOf<ClockSample>(e, SAMPLE).map((s) => s.offset),
    )
    expect(offsets.length).toBeGreaterThan(3)
    // True offset 0 (one machine, one clock): loopback jitter is well under 5 ms.
    for (const o of offsets) expect(Math.abs(o)).toBeLessThan(5)
    expect(result.verdicts?.filter((v) => !v.ok)).toEqual([])
  })
})

// The live driver without a network: nodes joined by an in-memory transport, real
// timers. Link faults are applied and recorded as the simulator records them, stable
// storage survives a restart of the process, and the merge builds a valid trace (or
// stops at a consistent cut when a node's record is missing).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { algorithmRegistry } from '../../src/algorithms/registry'
import { checkTrace } from '../../src/check/index'
import { parseTrace } from '../../src/core/trace-schema'
import type { TraceMeta } from '../../src/core/trace'
import { LiveNode } from '../../src/net/live-driver'
import type { FaultPlan } from '../../src/net/live-trace'
import { mergeTraces } from '../../src/net/merge'

function cluster(name: string, n: number, faults: FaultPlan[] = [], stateDir?: string): LiveNode[] {
  const algorithm = algorithmRegistry.get(name)!
  const params = algorithm.params?.parse({}) ?? {}
  const nodes: LiveNode[] = []
  for (let self = 0; self < n; self++)
    nodes.push(
      new LiveNode({
        algorithm,
        params,
        self,
        nodeCount: n,
        seed: 3,
        faults: faults[self],
        workloadRate: 20,
        stateFile: stateDir && join(stateDir, `node${self}.json`),
        transport: { send: (to, w) => setImmediate(() => nodes[to].receive(self, w)) },
      }),
    )
  return nodes
}

const meta = (algorithm: string, n: number): TraceMeta => ({
  source: 'live',
  algorithm,
  params: algorithmRegistry.get(algorithm)!.params?.parse({}) ?? {},
  nodes: Array.from({ length: n }, (_, k) => `n${k}`),
  vectorTime: true,
})

async function run(nodes: LiveNode[], ms: number): Promise<void> {
  for (const node of nodes) node.start()
  await new Promise((r) => setTimeout(r, ms))
  for (const node of nodes) node.stop()
}

describe('live driver', () => {
  it('records cut links, losses and duplicates as the simulator does, in a valid trace', async () => {
    const faults: FaultPlan[] = [{ 1: { cut: 'out' } }, { 2: { drop: 0.5, duplicate: 0.5 } }]
    const nodes = cluster('causal-broadcast', 3, faults)
    await run(nodes, 400)
    const { trace, cut } = mergeTraces(
      meta('causal-broadcast', 3),
      nodes.map((x) => x.records),
    )
    expect(cut).toEqual([0, 0, 0])
    const parsed = parseTrace(JSON.stringify(trace))
    const kinds = (k: string) => parsed.events.filter((e) => e.kind === k)
    expect(
      kinds('drop').some(
        (e) => e.kind === 'drop' && e.reason === 'partition' && e.from === 0 && e.to === 1,
      ),
    ).toBe(true)
    expect(
      kinds('drop').some(
        (e) => e.kind === 'drop' && e.reason === 'loss' && e.from === 1 && e.to === 2,
      ),
    ).toBe(true)
    expect(kinds('duplicate').length).toBeGreaterThan(0)
    // No receive at node 1 of anything node 0 sent: the cut link held.
    expect(parsed.events.some((e) => e.kind === 'receive' && e.from === 0 && e.node === 1)).toBe(
      false,
    )
    const causality = checkTrace(parsed.meta, parsed.events).find((v) => v.checker === 'causality')
    expect(causality?.ok).toBe(true)
    expect(nodes.flatMap((x) => x.errors)).toEqual([])
  })

  it('keeps stable storage in a file across a restart of the process (recover, incarnation 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clocklab-stable-'))
    try {
      const first = cluster('bully', 3, [], dir)
      await run(first, 300)
      const saved = JSON.parse(readFileSync(join(dir, 'node0.json'), 'utf8'))
      expect(saved).toMatchObject({ incarnation: 0, stable: { elections: expect.any(Number) } })
      expect(existsSync(join(dir, 'node0.json.tmp'))).toBe(false)
      const second = cluster('bully', 3, [], dir)
      await run(second, 100)
      const start = second[0].records[0].e
      expect(start).toMatchObject({ kind: 'recover', incarnation: 1 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('crashes and restarts its own node: crash and recover events, messages to it dropped', async () => {
    const nodes = cluster('ricart-agrawala', 3)
    for (const node of nodes) node.start()
    await new Promise((r) => setTimeout(r, 150))
    nodes[2].crash()
    await new Promise((r) => setTimeout(r, 150))
    nodes[2].restart()
    await new Promise((r) => setTimeout(r, 100))
    for (const node of nodes) node.stop()
    const { trace } = mergeTraces(
      meta('ricart-agrawala', 3),
      nodes.map((x) => x.records),
    )
    const parsed = parseTrace(JSON.stringify(trace))
    const at2 = parsed.events.filter((e) => 'node' in e && e.node === 2).map((e) => e.kind)
    expect(at2).toContain('crash')
    expect(at2[at2.indexOf('crash') + 1]).toBe('recover')
    expect(
      parsed.events.some((e) => e.kind === 'drop' && e.reason === 'crashed' && e.to === 2),
    ).toBe(true)
  })

  it('merges up to a consistent cut when a node record is missing', async () => {
    const nodes = cluster('causal-broadcast', 3)
    await run(nodes, 200)
    const records = nodes.map((x) => x.records)
    records[1] = []
    const { trace, cut } = mergeTraces(meta('causal-broadcast', 3), records)
    expect(cut[0] + cut[2]).toBeGreaterThan(0)
    expect(() => parseTrace(JSON.stringify(trace))).not.toThrow()
  })
})

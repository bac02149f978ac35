// Trace streaming in live runs: nodes send their records to the starter in numbered
// chunks while the run goes (not only at its end), the starter takes each record once
// and marks a node whose chunks skip a number as incomplete, a killed node's upload from
// its log replaces what it had streamed (nothing doubled), a long run keeps only a
// window of records in the LiveNode, and jitter faults delay messages at random while
// keeping each link's order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { algorithmRegistry } from '../../src/algorithms/registry'
import type { JsonValue } from '../../src/core/json'
import { isProcessEvent } from '../../src/core/trace'
import { LabNode, planExperiment, runExperiment } from '../../src/lab/experiment'
import type { ExperimentMessage } from '../../src/lab/experiment-protocol'
import { LiveNode } from '../../src/net/live-driver'
import type { LocalRecord } from '../../src/net/live-trace'
import { mergeTraces } from '../../src/net/merge'
import { startDurableLab, startLab, until } from './lab-harness'

type Chunk = Extract<ExperimentMessage, { t: 'trace' }>

let labs: LabNode[] = []
afterEach(() => {
  for (const l of labs) l.kill()
  labs = []
})

describe('trace streaming', () => {
  it('streams chunks during the run, contiguous per node, one last chunk each', async () => {
    labs = await startLab(3)
    await until(() => labs.every((l) => l.peer.members().length === 2))
    const spec = planExperiment(labs[0], {
      algorithm: 'ricart-agrawala',
      durationMs: 2000,
      workloadRate: 20,
    })
    const chunks: [number, Chunk][] = []
    const t0 = performance.now()
    labs[0].on('chunk', (m) => chunks.push([performance.now() - t0, m]))
    const finished: number[] = []
    for (const l of labs) l.on('finished', (_s, info) => finished.push(info.records - info.sent))
    const result = await runExperiment(labs[0], spec, { check: true })
    expect(result.missing).toEqual([])
    expect(result.gaps).toEqual([])
    expect(finished).toEqual([0, 0, 0])
    for (let k = 0; k < 3; k++) {
      const mine = chunks.filter(([, m]) => m.node === k).map(([t, m]) => ({ t, m }))
      expect(mine.map((c) => c.m.chunk)).toEqual(mine.map((_, i) => i))
      expect(mine.map((c) => c.m.last)).toEqual(mine.map((_, i) => i === mine.length - 1))
      // Streamed: most of the record reached the starter in the first three quarters of the run.
      const early = mine.filter((c) => c.t < 1500).reduce((a, c) => a + c.m.recs.length, 0)
      expect(early).toBeGreaterThan(result.received[k] / 2)
    }
    const total = result.received.reduce((a, b) => a + b, 0)
    expect(result.trace.events.length).toBe(total)
    expect(result.verdicts?.filter((v) => !v.ok)).toEqual([])
  })

  it('marks a node whose chunk numbers skip as incomplete, and takes no record twice', async () => {
    labs = await startLab(2)
    await until(() => labs.every((l) => l.peer.members().length === 1))
    const spec = planExperiment(labs[0], { algorithm: 'ricart-agrawala', durationMs: 800 })
    const other = spec.peers.findIndex((p) => p !== labs[0].peer.id)
    const running = runExperiment(labs[0], spec)
    await until(() => labs[1].node(spec.id) !== undefined)
    // A chunk far ahead of the stream, as if those in between were lost.
    const forged: Chunk = {
      t: 'trace',
      id: spec.id,
      node: other,
      chunk: 1_000_000,
      recs: [],
      last: false,
      late: false,
    }
    labs[0].emit('chunk', forged, spec.peers[other])
    const result = await running
    expect(result.gaps).toEqual([other])
    expect(result.missing).toContain(other)
    const seqs = result.trace.events.flatMap((e) =>
      isProcessEvent(e) && e.node === other ? [e.seq] : [],
    )
    expect(new Set(seqs).size).toBe(seqs.length)
  })

  it("a killed node's upload from its log replaces what it streamed: every record once", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clocklab-stream-'))
    try {
      const lab = await startDurableLab(3, 'stream', dir)
      labs = lab.labs
      await until(() => labs.every((l) => l.peer.members().length === 2))
      labs.sort((a, b) => (a.peer.id < b.peer.id ? -1 : 1))
      const spec = planExperiment(labs[0], { algorithm: 'bully', durationMs: 2500 })
      let streamed = 0
      labs[0].on('chunk', (m) => {
        if (m.node === 2 && !m.late) streamed++
      })
      const running = runExperiment(labs[0], spec, { check: true })
      await until(() => streamed >= 3)
      const dead = labs[2]
      const stateDir = lab.stateDir(dead)
      dead.kill()
      labs[2] = await lab.restart(dead)
      const result = await running
      expect(result.lost).toEqual([2])
      expect(result.missing).toEqual([])
      const logged = readFileSync(join(stateDir, `${spec.id}-node2.jsonl.sent`), 'utf8')
        .split('\n')
        .filter((l) => l !== '').length
      expect(result.received[2]).toBe(logged)
      const seqs = result.trace.events.flatMap((e) =>
        isProcessEvent(e) && e.node === 2 ? [e.seq] : [],
      )
      // The node's own events once each, then the crash the merge adds.
      expect(seqs).toEqual(seqs.map((_, i) => i))
      expect(result.verdicts?.filter((v) => !v.ok)).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('live node record keeping and jitter', () => {
  function pair(faults: ConstructorParameters<typeof LiveNode>[0]['faults'], retain?: number) {
    const algorithm = algorithmRegistry.get('fifo-broadcast')!
    const nodes: LiveNode[] = []
    const seen: LocalRecord[][] = [[], []]
    for (let self = 0; self < 2; self++)
      nodes.push(
        new LiveNode({
          algorithm,
          params: algorithm.params?.parse({}) ?? {},
          self,
          nodeCount: 2,
          seed: 5,
          faults: self === 0 ? faults : undefined,
          workloadRate: 100,
          retain,
          onRecord: (r) => seen[self].push(r),
          transport: {
            send: (to, w) => setImmediate(() => nodes[to].receive(self, w as never)),
          },
        }),
      )
    return { nodes, seen }
  }

  it('keeps a bounded window of records when asked, while onRecord sees every one', async () => {
    const { nodes, seen } = pair({}, 20)
    for (const n of nodes) n.start()
    await new Promise((r) => setTimeout(r, 500))
    for (const n of nodes) n.stop()
    for (let k = 0; k < 2; k++) {
      expect(nodes[k].recorded).toBe(seen[k].length)
      expect(nodes[k].recorded).toBeGreaterThan(40)
      expect(nodes[k].records.length).toBeLessThanOrEqual(40)
      expect(nodes[k].records.at(-1)).toBe(seen[k].at(-1))
    }
  })

  it('delays each message by delay + seeded jitter, keeping the link in order', async () => {
    const { nodes, seen } = pair({ 1: { delayMs: 2, jitterMs: 30 } })
    for (const n of nodes) n.start()
    await new Promise((r) => setTimeout(r, 600))
    for (const n of nodes) n.stop()
    await new Promise((r) => setTimeout(r, 60))
    const meta = {
      source: 'live' as const,
      algorithm: 'fifo-broadcast',
      params: {} as JsonValue,
      nodes: ['a', 'b'],
      vectorTime: true,
    }
    const { trace } = mergeTraces(meta, seen)
    const sends = new Map(trace.events.flatMap((e) => (e.kind === 'send' ? [[e.i, e]] : [])))
    const recv = trace.events.flatMap((e) =>
      e.kind === 'receive' && e.from === 0 ? [{ cause: e.cause, local: e.local }] : [],
    )
    expect(recv.length).toBeGreaterThan(10)
    // In order: each receive's send came after the previous receive's send.
    expect(recv.map((r) => r.cause)).toEqual([...recv.map((r) => r.cause)].sort((a, b) => a - b))
    const delays = recv.map((r) => r.local - (sends.get(r.cause)?.local ?? 0))
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1.5)
    // Jitter spreads the delays (a fixed delay alone would not).
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(5)
  })
})

// Reliable FIFO streams under a hostile network: loss, duplication and reordering
// (seeded; CLOCKLAB_NET_SEEDS runs, default 50), fragments of large bodies, and a
// restarted peer starting fresh.
import { describe, expect, it } from 'vitest'
import type { JsonValue } from '../../src/core/json'
import { Rng } from '../../src/core/random'
import { ReliableStreams } from '../../src/net/reliable'
import { MAX_BODY } from '../../src/net/envelope'

type Frame = { kind: 'data' | 'ack'; from: string; body: unknown }

function simulate(seed: number, bodies: JsonValue[]): JsonValue[] {
  const rng = Rng.fromSeed(seed)
  const a = new ReliableStreams('aaaaaaaa', { rtoMs: 10, window: 8 })
  const b = new ReliableStreams('bbbbbbbb', { rtoMs: 10 })
  const delivered: JsonValue[] = []
  let wire: Frame[] = []
  const put = (from: string, kind: 'data' | 'ack', body: unknown) => {
    if (rng.float() < 0.3) return // lost
    wire.push({ kind, from, body })
    if (rng.float() < 0.1) wire.push({ kind, from, body }) // duplicated
  }
  let now = 0
  for (const body of bodies)
    for (const t of a.send('B', 'bbbbbbbb', body, now)) put('A', 'data', t.frame)
  for (let step = 0; step < 10_000 && delivered.length < bodies.length; step++) {
    now += 5
    const batch = wire.sort(() => rng.float() - 0.5) // reordered
    wire = []
    for (const f of batch) {
      if (f.kind === 'data') {
        const r = b.receive('A', f.body as never)
        delivered.push(...r.deliver)
        if (r.ack) put('B', 'ack', r.ack)
      } else for (const t of a.ack('B', f.body as never, now)) put('A', 'data', t.frame)
    }
    for (const t of a.due(now)) put('A', 'data', t.frame)
  }
  return delivered
}

describe('reliable streams', () => {
  it('deliver every body exactly once and in order despite loss, duplicates and reordering', () => {
    const seeds = Number(process.env.CLOCKLAB_NET_SEEDS ?? 50)
    console.log(`reliable streams: ${seeds} seeds`)
    const big = { text: 'é"\\'.repeat(MAX_BODY) } // three fragments' worth, escaped heavily
    const bodies: JsonValue[] = [
      ...Array.from({ length: 40 }, (_, k) => ({ k })),
      big,
      { k: 'end' },
    ]
    for (let seed = 1; seed <= seeds; seed++) expect(simulate(seed, bodies)).toEqual(bodies)
  })

  it('start a fresh stream to a restarted peer and ignore frames meant for its old boot', () => {
    const a = new ReliableStreams('aaaaaaaa')
    const b1 = new ReliableStreams('bbbbbbbb')
    const [old] = a.send('B', 'bbbbbbbb', 'to the old boot', 0)
    expect(b1.receive('A', old.frame).deliver).toEqual(['to the old boot'])
    const b2 = new ReliableStreams('cccccccc')
    expect(b2.receive('A', old.frame).deliver).toEqual([])
    const [fresh] = a.send('B', 'cccccccc', 'to the new boot', 0)
    expect(fresh.frame.s).toBe(0)
    expect(b2.receive('A', fresh.frame).deliver).toEqual(['to the new boot'])
  })
})

describe('fragments', () => {
  it('split a body larger than a datagram into frames that each fit one', () => {
    const a = new ReliableStreams('aaaaaaaa')
    const frames = a.send('B', 'bbbbbbbb', { log: 'x\u0001"'.repeat(2000) }, 0)
    expect(frames.length).toBeGreaterThan(1)
    for (const { frame } of frames)
      expect(Buffer.byteLength(JSON.stringify(frame))).toBeLessThanOrEqual(MAX_BODY)
  })
})

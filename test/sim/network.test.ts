// The network model's promises: FIFO links never reorder, non-FIFO links with
// `reorder` do, loss and duplication happen at their configured rates, a
// partition cuts exactly the links between groups until healed, and a `between`
// override applies in both directions.
import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/core/random'
import { LinkSchema, Network, NetworkSchema, type NetworkSpec } from '../../src/sim/network'
import { runScenario } from '../../src/sim/run'
import { ScenarioSchema } from '../../src/sim/scenario'
import type { ReceiveEvent } from '../../src/core/trace'

const spec = (input: unknown): NetworkSpec => NetworkSchema.parse(input)

/** Binomial acceptance band: |k - np| <= 5 sd (a false alarm about once in 1.7 million). */
function expectBinomial(k: number, n: number, p: number): void {
  const sd = Math.sqrt(n * p * (1 - p))
  expect(Math.abs(k - n * p)).toBeLessThanOrEqual(5 * sd)
}

/** The fate of one message: the drop reason, or the arrival times of its copies. */
function transmit(net: Network, from: number, to: number, t: number): string | number[] {
  const out = new Float64Array(2)
  const fate = net.transmit(from, to, t, out)
  return typeof fate === 'string' ? fate : Array.from(out.subarray(0, fate))
}

function arrivals(net: Network, from: number, to: number, sendTimes: number[]): number[][] {
  return sendTimes.map((t) => {
    const fate = transmit(net, from, to, t)
    if (typeof fate === 'string') throw new Error(`unexpected drop: ${fate}`)
    return fate
  })
}

describe('Network: ordering', () => {
  it('a FIFO link never lets a later message (or copy) arrive before an earlier one', () => {
    for (const seed of [1, 2, 3]) {
      const net = new Network(
        spec({
          default: { delay: { dist: 'uniform', min: 0, max: 100 }, duplicate: 0.2, fifo: true },
        }),
        2,
        Rng.fromSeed(seed),
      )
      // Sends 0.5 ms apart against delays up to 100 ms: without FIFO many would overtake.
      const sendTimes = Array.from({ length: 5000 }, (_, k) => k * 0.5)
      const flat = arrivals(net, 0, 1, sendTimes).flat()
      expect(flat.length).toBeGreaterThan(5000)
      for (let k = 1; k < flat.length; k++) expect(flat[k]).toBeGreaterThanOrEqual(flat[k - 1])
    }
  })

  it('FIFO is per link: traffic on 0->1 does not hold back 2->1', () => {
    const net = new Network(
      spec({
        default: { delay: { dist: 'constant', ms: 5 } },
        links: [{ from: 0, to: 1, delay: { dist: 'constant', ms: 1000 } }],
      }),
      3,
      Rng.fromSeed(1),
    )
    expect(arrivals(net, 0, 1, [0])).toEqual([[1000]])
    expect(arrivals(net, 2, 1, [1])).toEqual([[6]])
  })

  it('a non-FIFO link with reorder holds back about that fraction of messages, which are overtaken', () => {
    const n = 4000
    const p = 0.25
    const net = new Network(
      spec({ default: { delay: { dist: 'constant', ms: 5 }, fifo: false, reorder: p } }),
      2,
      Rng.fromSeed(7),
    )
    const sendTimes = Array.from({ length: n }, (_, k) => k)
    const got = arrivals(net, 0, 1, sendTimes).map((a) => a[0])
    // With a constant delay d, a message is either on time (d) or held back by a second delay (2d).
    const held = got.filter((at, k) => at - sendTimes[k] === 10).length
    expect(got.every((at, k) => at - sendTimes[k] === 5 || at - sendTimes[k] === 10)).toBe(true)
    expectBinomial(held, n, p)
    let inversions = 0
    for (let k = 1; k < n; k++) if (got[k] < got[k - 1]) inversions++
    expect(inversions).toBeGreaterThan(0)
  })

  it('a non-FIFO link without reorder and with a constant delay keeps order (reorder is the cause)', () => {
    const net = new Network(
      spec({ default: { delay: { dist: 'constant', ms: 5 }, fifo: false } }),
      2,
      Rng.fromSeed(7),
    )
    const got = arrivals(
      net,
      0,
      1,
      Array.from({ length: 500 }, (_, k) => k),
    ).map((a) => a[0])
    expect(got).toEqual(Array.from({ length: 500 }, (_, k) => k + 5))
  })

  it('end to end: receives over FIFO links come in send order; over reordering links, not always', () => {
    const run = (fifo: boolean) =>
      runScenario(
        ScenarioSchema.parse({
          algorithm: 'lamport',
          nodes: 3,
          seed: 11,
          until: 20_000,
          workload: { rate: 200 },
          network: {
            default: fifo
              ? { delay: { dist: 'uniform', min: 1, max: 50 } }
              : { delay: { dist: 'uniform', min: 1, max: 50 }, fifo: false, reorder: 0.3 },
          },
        }),
        { record: true },
      ).trace!.events.filter((e): e is ReceiveEvent => e.kind === 'receive')
    const inversions = (receives: ReceiveEvent[]) => {
      const last = new Map<string, number>()
      let count = 0
      for (const r of receives) {
        const key = `${r.from}->${r.node}`
        if ((last.get(key) ?? -1) > r.msg) count++
        last.set(key, r.msg)
      }
      return count
    }
    const fifo = run(true)
    expect(fifo.length).toBeGreaterThan(1000)
    expect(inversions(fifo)).toBe(0)
    expect(inversions(run(false))).toBeGreaterThan(0)
  })
})

describe('Network: loss and duplication', () => {
  for (const p of [0.02, 0.1, 0.3]) {
    it(`loses about ${p} of messages (binomial bound)`, () => {
      for (const seed of [1, 99]) {
        const net = new Network(spec({ default: { loss: p } }), 2, Rng.fromSeed(seed))
        const n = 20_000
        let lost = 0
        for (let k = 0; k < n; k++) {
          const fate = transmit(net, 0, 1, k)
          if (typeof fate === 'string') {
            expect(fate).toBe('loss')
            lost++
          }
        }
        expectBinomial(lost, n, p)
      }
    })
  }

  it('duplicates about the configured fraction, each duplicate as exactly two copies', () => {
    const p = 0.15
    const n = 20_000
    const net = new Network(spec({ default: { duplicate: p } }), 2, Rng.fromSeed(5))
    let dup = 0
    for (let k = 0; k < n; k++) {
      const fate = transmit(net, 0, 1, k)
      if (typeof fate === 'string') throw new Error('no loss configured')
      expect(fate.length === 1 || fate.length === 2).toBe(true)
      if (fate.length === 2) dup++
    }
    expectBinomial(dup, n, p)
  })

  it('loss 0 and loss 1 are exact', () => {
    const never = new Network(spec({ default: { loss: 0 } }), 2, Rng.fromSeed(1))
    const always = new Network(spec({ default: { loss: 1 } }), 2, Rng.fromSeed(1))
    for (let k = 0; k < 1000; k++) {
      expect(typeof transmit(never, 0, 1, k)).not.toBe('string')
      expect(transmit(always, 0, 1, k)).toBe('loss')
    }
  })
})

describe('Network: partitions', () => {
  const n = 6
  const groups = [
    [0, 1],
    [2, 3],
  ] // 4 and 5 are unlisted: they form a third group
  const groupOf = (x: number) => (x <= 1 ? 0 : x <= 3 ? 1 : 2)

  it('drops exactly the messages between groups, and heal restores every link', () => {
    const net = new Network(spec({}), n, Rng.fromSeed(3))
    net.partition(groups)
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        const fate = transmit(net, a, b, 0)
        const cut = groupOf(a) !== groupOf(b)
        expect(net.isCut(a, b)).toBe(cut)
        if (cut) expect(fate).toBe('partition')
        else expect(typeof fate).not.toBe('string')
      }
    net.heal()
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        expect(net.isCut(a, b)).toBe(false)
        expect(typeof transmit(net, a, b, 1)).not.toBe('string')
      }
  })

  it('end to end: during a partition no message crosses groups, in-flight ones are dropped; after heal they flow', () => {
    const trace = runScenario(
      ScenarioSchema.parse({
        algorithm: 'lamport',
        nodes: n,
        seed: 4,
        until: 6000,
        workload: { rate: 50 },
        faults: [
          { at: 2000, partition: groups },
          { at: 4000, heal: true },
        ],
      }),
      { record: true },
    ).trace!
    const sendTime = new Map<number, number>()
    let crossDuring = 0
    let crossAfter = 0
    for (const e of trace.events) {
      if (e.kind === 'send') sendTime.set(e.msg, e.time!)
      if (e.kind === 'receive' && groupOf(e.from) !== groupOf(e.node)) {
        // A receive across groups happens only outside the partition window.
        expect(e.time! < 2000 || e.time! >= 4000).toBe(true)
        if (e.time! >= 4000) crossAfter++
      }
      if (e.kind === 'drop' && e.reason === 'partition') {
        expect(groupOf(e.from)).not.toBe(groupOf(e.to))
        expect(e.time! >= 2000 && e.time! < 4000).toBe(true)
        crossDuring++
      }
    }
    expect(crossDuring).toBeGreaterThan(0)
    expect(crossAfter).toBeGreaterThan(0)
    // Every cross-group send made inside the window was dropped for the partition.
    const dropped = new Set(
      trace.events
        .filter((e) => e.kind === 'drop' && e.reason === 'partition')
        .map((e) => (e as { msg: number }).msg),
    )
    for (const e of trace.events)
      if (
        e.kind === 'send' &&
        e.time! >= 2000 &&
        e.time! < 4000 &&
        groupOf(e.node) !== groupOf(e.to[0])
      )
        expect(dropped.has(e.msg)).toBe(true)
  })
})

describe('Network: configuration', () => {
  it('a `between` override applies in both directions and nowhere else', () => {
    const net = new Network(
      spec({
        default: { delay: { dist: 'constant', ms: 1 } },
        links: [{ between: [1, 2], delay: { dist: 'constant', ms: 40 }, loss: 0 }],
      }),
      4,
      Rng.fromSeed(1),
    )
    expect(transmit(net, 1, 2, 0)).toEqual([40])
    expect(transmit(net, 2, 1, 0)).toEqual([40])
    expect(transmit(net, 1, 0, 0)).toEqual([1])
    expect(transmit(net, 3, 2, 0)).toEqual([1])
    expect(net.link(1, 2).delay).toEqual({ dist: 'constant', ms: 40 })
    expect(net.link(2, 1).delay).toEqual({ dist: 'constant', ms: 40 })
  })

  it('a `from`/`to` override applies to that direction only', () => {
    const net = new Network(spec({ links: [{ from: 0, to: 1, loss: 1 }] }), 2, Rng.fromSeed(1))
    expect(transmit(net, 0, 1, 0)).toBe('loss')
    expect(typeof transmit(net, 1, 0, 0)).not.toBe('string')
  })

  it('rejects reorder on a FIFO link, in the default and in an override', () => {
    expect(LinkSchema.safeParse({ reorder: 0.2 }).success).toBe(false)
    expect(LinkSchema.safeParse({ reorder: 0.2, fifo: true }).success).toBe(false)
    expect(LinkSchema.safeParse({ reorder: 0.2, fifo: false }).success).toBe(true)
    // The override schema cannot see the default it lands on; the network rejects the combination.
    expect(
      () => new Network(spec({ links: [{ from: 0, to: 1, reorder: 0.1 }] }), 2, Rng.fromSeed(1)),
    ).toThrow(/reorder/)
    expect(
      () =>
        new Network(
          spec({
            default: { fifo: false, reorder: 0.1 },
            links: [{ between: [0, 1], fifo: true }],
          }),
          2,
          Rng.fromSeed(1),
        ),
    ).toThrow(/reorder/)
    expect(
      ScenarioSchema.safeParse({ algorithm: 'lamport', network: { default: { reorder: 0.5 } } })
        .success,
    ).toBe(false)
  })

  it('an override names either from and to, or between; links to unknown nodes are rejected', () => {
    expect(NetworkSchema.safeParse({ links: [{ from: 0, loss: 0.1 }] }).success).toBe(false)
    expect(NetworkSchema.safeParse({ links: [{ from: 0, to: 1, between: [0, 1] }] }).success).toBe(
      false,
    )
    expect(() => new Network(spec({ links: [{ between: [0, 5] }] }), 3, Rng.fromSeed(1))).toThrow(
      RangeError,
    )
  })
})

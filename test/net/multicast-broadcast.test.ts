// Multicast as the broadcast transport. The receiving half without I/O under loss,
// duplication and reordering (seeded; CLOCKLAB_NET_SEEDS runs, default 50); then real
// peers on loopback with real IPv4 multicast (a random group of 239.255/16 on lo) and
// application-level loss injected at their sockets (tc netem is not in this kernel):
// every unicast and broadcast arrives exactly once, in the order each sender sent it,
// with lost datagrams repaired by NACK; broadcast algorithms (Lamport total order,
// which needs FIFO links, and causal broadcast) and RBS keep their checkers green;
// forged and malformed multicast datagrams are dropped and counted.
import { createSocket } from 'node:dgram'
import { randomBytes, randomInt } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { JsonValue } from '../../src/core/json'
import { Rng } from '../../src/core/random'
import { SAMPLE, type ClockSample } from '../../src/algorithms/sync/notes'
import { notesOf } from '../../src/core/trace'
import { LabNode, planExperiment, runExperiment } from '../../src/lab/experiment'
import { Sealer, type Envelope } from '../../src/net/envelope'
import { deriveLabKeys } from '../../src/net/keys'
import { LanPeer, type LanPeerOptions } from '../../src/net/lan-peer'
import { BroadcastStreams, type McastBody } from '../../src/net/multicast'
import { LOOPBACK, until } from './lab-harness'

const SEEDS = Number(process.env.CLOCKLAB_NET_SEEDS ?? 50)
const PASS = 'multicast passphrase'

describe('broadcast streams (receiving half, no I/O)', () => {
  it('take every broadcast for this peer exactly once and in order despite loss, duplicates and reordering', () => {
    console.log(`broadcast streams: ${SEEDS} seeds`)
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = Rng.fromSeed(seed)
      const sender = new BroadcastStreams('aaaaaaaaaaaaaaaa', 'aaaaaaaa', { buffer: 64 })
      const me = 'bbbbbbbbbbbbbbbb'
      const rx = new BroadcastStreams(me, 'bbbbbbbb', { nackMs: 10 })
      const out: JsonValue[] = []
      // The sender's first unicast to us: its barrier says where our part starts.
      for (let k = 0; k < 5; k++) sender.broadcast(['cccccccccccccccc'], `before ${k}`)
      out.push(...rx.unicast('A', 'aaaaaaaa', 'hello', { bs: sender.barrier, end: 1 }))
      const expected: JsonValue[] = ['hello']
      let wire: McastBody[] = []
      const put = (m: McastBody) => {
        if (rng.float() < 0.3) return
        wire.push(m)
        if (rng.float() < 0.1) wire.push(m)
      }
      for (let k = 0; k < 40; k++) {
        const forMe = rng.float() < 0.7
        const m = sender.broadcast(forMe ? [me, 'cccccccccccccccc'] : ['cccccccccccccccc'], k)
        if (forMe) expected.push(k)
        put(m as McastBody)
      }
      let now = 0
      for (let step = 0; step < 2000 && out.length < expected.length; step++) {
        now += 5
        const batch = wire.sort(() => rng.float() - 0.5)
        wire = []
        for (const m of batch) out.push(...rx.multicast('A', m))
        const hb = sender.heartbeat(now)
        if (hb !== undefined && rng.float() < 0.7) rx.heard('A', hb)
        for (const n of rx.nacks(now)) for (const m of sender.repair(n.body)) put(m)
      }
      expect(out, `seed ${seed}`).toEqual(expected)
      expect(sender.stats.evicted).toBe(0)
    }
  })

  it('delivers a unicast after the broadcasts sent before it, and a broadcast after the unicasts sent before it', () => {
    const s = new BroadcastStreams('aaaaaaaaaaaaaaaa', 'aaaaaaaa')
    const me = 'bbbbbbbbbbbbbbbb'
    const rx = new BroadcastStreams(me, 'bbbbbbbb')
    expect(rx.unicast('A', 'aaaaaaaa', 'u0', { bs: s.barrier, end: 1 })).toEqual(['u0'])
    const b0 = s.broadcast([me], 'b0') as McastBody
    const b1 = s.broadcast([me], 'b1') as McastBody
    // u1 was sent after b0 and b1: it waits for them, even though it arrives first.
    expect(rx.unicast('A', 'aaaaaaaa', 'u1', { bs: s.barrier, end: 2 })).toEqual([])
    expect(rx.multicast('A', b1)).toEqual([])
    expect(rx.multicast('A', b0)).toEqual(['b0', 'b1', 'u1'])
    // u2 (frames 3 and 4: fragments) was sent before b2, not yet acked: b2 waits for it.
    const bs = s.barrier
    const b2 = s.broadcast([me], 'b2', { [me]: 4 }) as McastBody
    expect(rx.multicast('A', b2)).toEqual([])
    expect(rx.unicast('A', 'aaaaaaaa', 'u2', { bs, end: 4 })).toEqual(['u2', 'b2'])
  })
})

interface Lab {
  labs: LabNode[]
  peers: LanPeer[]
}

let running: LabNode[] = []
afterEach(() => {
  for (const l of running) l.peer.kill()
  running = []
})

/** Peers on lo with real IPv4 multicast, on a group and port of their own. */
async function multicastLab(count: number, extra: Partial<LanPeerOptions> = {}): Promise<Lab> {
  const group = `239.255.${randomInt(1, 255)}.${randomInt(1, 255)}`
  const port = randomInt(20_000, 60_000)
  const keys = deriveLabKeys('mcast-lab', PASS)
  const peers = await Promise.all(
    Array.from({ length: count }, (_, k) =>
      LanPeer.start({
        keys,
        iface: LOOPBACK,
        group,
        port,
        name: `ws${k}`,
        heartbeatMs: 50,
        timeoutMs: 600,
        rtoMs: 40,
        broadcast: 'multicast',
        ...extra,
      }),
    ),
  )
  const labs = peers.map((p) => new LabNode(p))
  running = labs
  await until(() => peers.every((p) => p.members().length === count - 1))
  return { labs, peers }
}

/** Loses a share of the streams' datagrams on arrival (hellos pass, so the view holds). */
function lossy(p: number, seed: number): (env: Envelope) => boolean {
  const rng = Rng.fromSeed(seed)
  return (env) => env.kind !== 'hello' && env.kind !== 'bye' && rng.float() < p
}

const sum = (peers: LanPeer[], f: (p: LanPeer) => number) => peers.reduce((a, p) => a + f(p), 0)

describe('multicast broadcast between live peers on loopback', () => {
  it('delivers every unicast and broadcast exactly once and in send order under 25% loss', async () => {
    const count = Number(process.env.CLOCKLAB_NET_MCAST ?? 200)
    console.log(`multicast exactly-once: ${count} messages per sender, 25% of datagrams lost`)
    const { peers } = await multicastLab(3, { lose: lossy(0.25, 7) })
    const got = peers.map(() => new Map<string, JsonValue[]>())
    peers.forEach((p, k) =>
      p.on('message', (from, body) => {
        const list = got[k].get(from) ?? []
        list.push(body)
        got[k].set(from, list)
      }),
    )
    const sent = peers.map(() => new Map<string, JsonValue[]>())
    const rng = Rng.fromSeed(11)
    for (let i = 0; i < count; i++) {
      for (const [k, p] of peers.entries()) {
        const others = p.members().map((m) => m.id)
        const to = rng.float() < 0.6 ? others : [others[rng.int(others.length)]]
        // Now and then a body over one datagram: it goes by unicast, in order all the same.
        const body = { from: k, i, pad: 'x'.repeat(rng.float() < 0.03 ? 3000 : rng.int(40)) }
        for (const id of to) {
          expect(p.send(id, body)).toBe(true)
          sent[k].set(id, [...(sent[k].get(id) ?? []), body])
        }
      }
      if (i % 4 === 3) await new Promise((r) => setTimeout(r, 2))
    }
    const total = sum(peers, (p) => [...sent[peers.indexOf(p)].values()].flat().length)
    await until(() => got.reduce((a, g) => a + [...g.values()].flat().length, 0) >= total)
    await new Promise((r) => setTimeout(r, 200)) // a late duplicate would show now
    for (const [k, p] of peers.entries())
      for (const [to, bodies] of sent[k]) {
        const r = peers.findIndex((q) => q.id === to)
        expect(got[r].get(p.id), `ws${k} -> ws${r}`).toEqual(bodies)
      }
    const multicasts = sum(peers, (p) => p.path.stats.multicasts)
    const repaired = sum(peers, (p) => p.path.broadcasts.stats.repaired)
    console.log(
      `multicast datagrams ${multicasts}, unicast copies ${sum(peers, (p) => p.path.stats.unicastCopies)} ` +
        `(too large ${sum(peers, (p) => p.path.stats.tooLarge)}), ` +
        `NACKs ${sum(peers, (p) => p.path.broadcasts.stats.nacksSent)}, repaired ${repaired}, ` +
        `lost on arrival ${sum(peers, (p) => p.endpoint.stats.injectedLoss)}`,
    )
    // 3 senders, 60% of their sends broadcasts: all but the first few go by multicast.
    expect(multicasts).toBeGreaterThan(count)
    expect(repaired).toBeGreaterThan(0)
    expect(sum(peers, (p) => p.path.broadcasts.stats.evicted)).toBe(0)
  })

  it.each([['total-order-lamport'], ['causal-broadcast']])(
    'runs %s over multicast with a tenth of the datagrams lost, every checker green',
    async (algorithm) => {
      const { labs, peers } = await multicastLab(3, { lose: lossy(0.1, 3) })
      const spec = planExperiment(labs[0], {
        algorithm,
        durationMs: 2000,
        workloadRate: 10,
        workloadMs: 1200,
      })
      const result = await runExperiment(labs[0], spec, { check: true })
      expect(result.missing).toEqual([])
      const delivered = result.trace.events.filter((e) => notesOf(e, 'deliver').length > 0)
      expect(delivered.length).toBeGreaterThan(10)
      expect(result.verdicts?.filter((v) => !v.ok)).toEqual([])
      expect(result.verdicts?.map((v) => v.checker)).toContain(
        algorithm === 'causal-broadcast' ? 'causal-order' : 'total-order',
      )
      expect(sum(peers, (p) => p.path.stats.multicasts)).toBeGreaterThan(5)
    },
  )

  it('runs RBS with its reference beacons multicast: offsets near 0', async () => {
    const { labs, peers } = await multicastLab(3)
    const spec = planExperiment(labs[0], {
      algorithm: 'rbs',
      params: { periodMs: 100 },
      durationMs: 2000,
      workloadRate: 0,
    })
    const result = await runExperiment(labs[0], spec, { check: true })
    const offsets = result.trace.events.flatMap((e) =>
      notesOf<ClockSample>(e, SAMPLE).map((s) => s.offset),
    )
    expect(offsets.length).toBeGreaterThan(3)
    for (const o of offsets) expect(Math.abs(o)).toBeLessThan(5)
    expect(result.verdicts?.filter((v) => !v.ok)).toEqual([])
    expect(sum(peers, (p) => p.path.stats.multicasts)).toBeGreaterThan(5)
  })

  it('drops and counts forged, replayed and malformed multicast datagrams; delivers none', async () => {
    const { peers } = await multicastLab(2)
    const [victim, friend] = peers
    const got: JsonValue[] = []
    victim.on('message', (_from, body) => got.push(body))
    const attacker = createSocket('udp4')
    await new Promise<void>((r) => attacker.bind(0, '127.0.0.1', () => r()))
    const group = victim.endpoint.group
    const port = victim.endpoint.multicastPort
    const shoot = (d: Buffer) => new Promise<void>((r) => attacker.send(d, port, group, () => r()))
    const drops = () => ({ ...victim.endpoint.opener.drops })
    try {
      const mine = (to: string[]): McastBody => ({ ep: 'eeeeeeee', s: 0, to, b: 'evil' })
      await shoot(randomBytes(300))
      await until(() => drops().malformed >= 1)
      const stranger = new Sealer(
        deriveLabKeys('mcast-lab', 'not the passphrase'),
        'ffffffffffffffff',
      )
      await shoot(stranger.seal('mcast', mine([victim.id])))
      await until(() => drops()['wrong-lab'] >= 1)
      // An insider's datagram replayed, and re-sent under the friend's id (the MAC breaks).
      const insider = new Sealer(deriveLabKeys('mcast-lab', PASS), 'eeeeeeeeeeeeeeee')
      const real = insider.seal('mcast', mine(['cccccccccccccccc']))
      await shoot(real)
      await shoot(real)
      const forged = Buffer.from(insider.seal('mcast', { ...mine([victim.id]), s: 1 }))
      forged.write(friend.id, 12, 'hex')
      await shoot(forged)
      // Authenticated but not a valid broadcast: a destination that is no peer id.
      await shoot(insider.seal('mcast', mine(['not-a-peer-id']) as never))
      await until(() => drops().replayed >= 1 && drops()['bad-mac'] >= 1 && drops().malformed >= 2)
      expect(got).toEqual([])
      // Still working: a message from the real peer gets through.
      friend.send(victim.id, { after: 'the attack' })
      await until(() => got.length === 1)
      expect(got).toEqual([{ after: 'the attack' }])
    } finally {
      attacker.close()
    }
  })
})

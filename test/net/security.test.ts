// Security at a running node, over real UDP on loopback: a flood of random datagrams
// (CLOCKLAB_NET_FLOOD, default 100,000), a peer with the wrong passphrase, a replayed
// datagram and a forged sender id. Each is dropped and counted by reason, nothing
// reaches the layers above, and the node keeps working with its real peer.
import { createSocket } from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { JsonValue } from '../../src/core/json'
import { Sealer } from '../../src/net/envelope'
import { deriveLabKeys } from '../../src/net/keys'
import type { LabNode } from '../../src/lab/experiment'
import { startLab, until } from './lab-harness'

let labs: LabNode[] = []
afterEach(() => {
  for (const l of labs) l.peer.kill()
  labs = []
})

describe('a node under attack', () => {
  it('drops and counts every bad datagram, delivers nothing of them, and keeps running', async () => {
    labs = await startLab(2, {}, 'sec-lab', 'the right passphrase')
    const [victim, friend] = labs.map((l) => l.peer)
    await until(() => victim.members().length === 1)
    const got: JsonValue[] = []
    victim.on('message', (_from, body) => got.push(body))
    const attacker = createSocket('udp4')
    await new Promise<void>((r) => attacker.bind(0, '127.0.0.1', () => r()))
    const port = victim.endpoint.port
    const shoot = (d: Buffer) =>
      new Promise<void>((r) => attacker.send(d, port, '127.0.0.1', () => r()))
    const drops = () => ({ ...victim.endpoint.opener.drops })
    try {
      const flood = Number(process.env.CLOCKLAB_NET_FLOOD ?? 100_000)
      console.log(`flood: ${flood} random datagrams`)
      const before = Object.values(drops()).reduce((a, b) => a + b, 0)
      const counted = () => Object.values(drops()).reduce((a, b) => a + b, 0) - before
      // Batches small enough for the socket's receive buffer: the kernel loses none.
      for (let k = 0; k < flood; k += 20) {
        const batch = Math.min(20, flood - k)
        for (let j = 0; j < batch; j++)
          attacker.send(randomBytes(1 + ((k + j) % 1300)), port, '127.0.0.1')
        while (counted() < k + batch) await new Promise((r) => setImmediate(r))
      }
      expect(counted()).toBe(flood)

      // A peer of a lab with the same name and another passphrase.
      const stranger = new Sealer(
        deriveLabKeys('sec-lab', 'not the passphrase'),
        'ffffffffffffffff',
      )
      await shoot(stranger.seal('hello', { port: 1, name: 'evil', epoch: 'ffffffff' }))
      await until(() => drops()['wrong-lab'] >= 1)

      // A datagram sealed with the lab key is replayed, and re-sent under a forged sender id.
      const insider = new Sealer(
        deriveLabKeys('sec-lab', 'the right passphrase'),
        'eeeeeeeeeeeeeeee',
      )
      const ep = victim.epoch
      const real = insider.seal('data', { ep: 'eeeeeeee', to: ep, s: 0, b: 'once' })
      await shoot(real)
      await shoot(real)
      const forged = Buffer.from(
        insider.seal('data', { ep: 'eeeeeeee', to: ep, s: 1, b: 'forged' }),
      )
      forged.write(friend.id, 12, 'hex')
      await shoot(forged)
      await until(() => drops().replayed >= 1 && drops()['bad-mac'] >= 1)
      expect(got).toEqual(['once'])
      expect(victim.members().map((m) => m.id)).toEqual([friend.id])

      // Still working: a real message from the real peer gets through.
      friend.send(victim.id, { after: 'the attack' })
      await until(() => got.length === 2)
      expect(got[1]).toEqual({ after: 'the attack' })
      const total = Object.values(drops()).reduce((a, b) => a + b, 0) - before
      expect(total).toBe(flood + 3)
    } finally {
      attacker.close()
    }
  })
})

// IPv6 at unit level: which interface and addresses a node picks (os.networkInterfaces
// faked), one member per dual-stack peer with its IPv4 address preferred, and two
// peers finding each other and exchanging messages over IPv6 on ::1 (loopback mode:
// IPv6 multicast does not work on lo; the namespace test, netns-ipv6.test.ts, runs
// real IPv6 multicast).
import type { NetworkInterfaceInfo } from 'node:os'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { JsonValue } from '../../src/core/json'
import { chooseInterface } from '../../src/net/interfaces'
import { deriveLabKeys } from '../../src/net/keys'
import { LanPeer } from '../../src/net/lan-peer'
import { Membership } from '../../src/net/membership'
import { freePorts, until } from './lab-harness'

const fake = vi.hoisted(() => ({ interfaces: {} as Record<string, unknown[]> }))
vi.mock('node:os', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:os')>()),
  networkInterfaces: () => fake.interfaces,
}))

const addr = (address: string, internal = false): Partial<NetworkInterfaceInfo> => ({
  address,
  family: address.includes(':') ? 'IPv6' : 'IPv4',
  internal,
})

describe('choosing the interface', () => {
  it('takes an IPv6-only interface, preferring a ULA or global address to the link-local one', () => {
    fake.interfaces = {
      lo: [addr('127.0.0.1', true), addr('::1', true)],
      eth0: [addr('fe80::1'), addr('fd00:c10c::2')],
    }
    expect(chooseInterface()).toEqual({ name: 'eth0', ipv6: 'fd00:c10c::2' })
    expect(chooseInterface('eth0')).toEqual({ name: 'eth0', ipv6: 'fd00:c10c::2' })
  })

  it('by default prefers an interface with IPv4, as before', () => {
    fake.interfaces = {
      veth9: [addr('fe80::9')],
      eth0: [addr('192.168.1.5'), addr('fd00::5')],
    }
    expect(chooseInterface()).toEqual({ name: 'eth0', ipv4: '192.168.1.5', ipv6: 'fd00::5' })
  })

  it('scopes a link-local address to its interface, and uses an address given by the user', () => {
    fake.interfaces = { eth1: [addr('10.0.0.7'), addr('fe80::7')] }
    expect(chooseInterface('eth1')).toEqual({
      name: 'eth1',
      ipv4: '10.0.0.7',
      ipv6: 'fe80::7%eth1',
    })
    expect(chooseInterface('fe80::7%eth1')).toEqual({
      name: 'eth1',
      ipv4: '10.0.0.7',
      ipv6: 'fe80::7%eth1',
    })
    expect(chooseInterface('10.0.0.7').name).toBe('eth1')
  })

  it('keeps loopback to IPv4 and names the interfaces it has when asked for a missing one', () => {
    fake.interfaces = { lo: [addr('127.0.0.1', true), addr('::1', true)] }
    expect(chooseInterface()).toEqual({ name: 'lo', ipv4: '127.0.0.1' })
    expect(() => chooseInterface('wlan9')).toThrow(/--iface wlan9: no such interface.*have: lo/)
  })
})

describe('dual-stack membership', () => {
  const hello = (address: string) => ({
    id: 'a',
    name: 'ws-a',
    address,
    port: 4000,
    epoch: 'aaaaaaaa',
  })

  it('is one member for a peer heard on both families, reached at its IPv4 address from then on', () => {
    const m = new Membership('self', 1000)
    expect(m.hello(hello('fd00::a'), 0).map((e) => e.kind)).toEqual(['join'])
    expect(m.get('a')?.address).toBe('fd00::a')
    expect(m.hello(hello('10.0.0.1'), 10)).toEqual([])
    expect(m.hello(hello('fd00::a'), 20)).toEqual([])
    expect(m.list()).toHaveLength(1)
    expect(m.get('a')).toMatchObject({
      address: '10.0.0.1',
      addresses: { ipv4: '10.0.0.1', ipv6: 'fd00::a' },
    })
  })
})

describe('IPv6 on loopback', () => {
  let peers: LanPeer[] = []
  afterEach(() => {
    for (const p of peers) p.kill()
    peers = []
  })

  it('two peers on ::1 find each other and exchange messages over IPv6', async () => {
    const ports = await freePorts(2)
    const keys = deriveLabKeys('v6-lab', 'loopback passphrase')
    peers = await Promise.all(
      ports.map((port, k) =>
        LanPeer.start({
          keys,
          iface: { name: 'lo', ipv6: '::1' },
          unicastPort: port,
          seeds: ports,
          name: `ws${k}`,
          heartbeatMs: 50,
          timeoutMs: 300,
          rtoMs: 40,
        }),
      ),
    )
    await until(() => peers.every((p) => p.members().length === 1))
    expect(peers[0].members()[0]).toMatchObject({ address: '::1', addresses: { ipv6: '::1' } })
    expect(peers[0].endpoint.families).toEqual(['ipv6'])
    const got: JsonValue[] = []
    peers[1].on('message', (_from, body) => got.push(body))
    const big = 'x'.repeat(5000) // fragments: several datagrams over IPv6
    peers[0].send(peers[1].id, { n: 1 })
    peers[0].send(peers[1].id, { big })
    await until(() => got.length === 2)
    expect(got).toEqual([{ n: 1 }, { big }])
  })
})

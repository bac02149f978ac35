// Test helpers for live runs on loopback: free UDP ports, and a lab of in-process
// nodes on 127.0.0.1 that find each other by unicast (loopback mode), with state dirs
// and restarts where a test kills a workstation.
import { createSocket } from 'node:dgram'
import { join } from 'node:path'
import { LabNode } from '../../src/lab/experiment'
import { deriveLabKeys, type LabKeys } from '../../src/net/keys'
import { LanPeer, type LanPeerOptions } from '../../src/net/lan-peer'

export const LOOPBACK = { name: 'lo', ipv4: '127.0.0.1' }

/** Ports free right now (bound to 0 and released). */
export async function freePorts(count: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createSocket>>((resolve) => {
          const s = createSocket('udp4')
          s.bind(0, '127.0.0.1', () => resolve(s))
        }),
    ),
  )
  const ports = sockets.map((s) => s.address().port)
  for (const s of sockets) s.close()
  return ports
}

/** Workstation k of a loopback lab on `ports`: unicast discovery, fast timers. */
const peerOptions = (keys: LabKeys, ports: number[], k: number): LanPeerOptions => ({
  keys,
  iface: LOOPBACK,
  unicastPort: ports[k],
  seeds: ports,
  name: `ws${k}`,
  heartbeatMs: 50,
  timeoutMs: 300,
  rtoMs: 40,
})

export async function startLab(
  count: number,
  extra: Partial<LanPeerOptions> = {},
  lab = 'test-lab',
  passphrase = 'loopback passphrase',
): Promise<LabNode[]> {
  const ports = await freePorts(count)
  const keys = deriveLabKeys(lab, passphrase)
  const peers = await Promise.all(
    ports.map((_, k) => LanPeer.start({ ...peerOptions(keys, ports, k), ...extra })),
  )
  return peers.map((p) => new LabNode(p))
}

/**
 * A loopback lab whose workstations keep their state under `dir`: `restart` starts a killed
 * one again on its port, with its id and its state dir, as ClockLab started again on that
 * machine would (and it uploads what its process recorded).
 */
export async function startDurableLab(
  count: number,
  lab: string,
  dir: string,
): Promise<{
  labs: LabNode[]
  stateDir: (node: LabNode) => string
  restart: (dead: LabNode) => Promise<LabNode>
}> {
  const ports = await freePorts(count)
  const keys = deriveLabKeys(lab, 'loopback passphrase')
  const start = async (k: number, peerId?: string) =>
    new LabNode(await LanPeer.start({ ...peerOptions(keys, ports, k), peerId }), {
      stateDir: join(dir, `ws${k}`),
    })
  const index = (node: LabNode) => ports.indexOf(node.peer.endpoint.port)
  return {
    labs: await Promise.all(ports.map((_, k) => start(k))),
    stateDir: (node) => join(dir, `ws${index(node)}`),
    restart: (dead) => start(index(dead), dead.peer.id),
  }
}

/** Resolves once `predicate` holds, polling (the test's own timeout bounds the wait). */
export async function until(predicate: () => boolean, everyMs = 20): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, everyMs))
}

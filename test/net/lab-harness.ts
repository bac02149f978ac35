// Test helpers for live runs on loopback: free UDP ports, and a lab of in-process
// nodes on 127.0.0.1 that find each other by unicast (loopback mode).
import { createSocket } from 'node:dgram'
import { LabNode } from '../../src/lab/experiment'
import { deriveLabKeys } from '../../src/net/keys'
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

export async function startLab(
  count: number,
  extra: Partial<LanPeerOptions> = {},
  lab = 'test-lab',
  passphrase = 'loopback passphrase',
): Promise<LabNode[]> {
  const ports = await freePorts(count)
  const keys = deriveLabKeys(lab, passphrase)
  const peers = await Promise.all(
    ports.map((port, k) =>
      LanPeer.start({
        keys,
        iface: LOOPBACK,
        unicastPort: port,
        seeds: ports,
        name: `ws${k}`,
        heartbeatMs: 50,
        timeoutMs: 300,
        rtoMs: 40,
        ...extra,
      }),
    ),
  )
  return peers.map((p) => new LabNode(p))
}

/** Resolves once `predicate` holds, polling (the test's own timeout bounds the wait). */
export async function until(predicate: () => boolean, everyMs = 20): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, everyMs))
}

// IPv6 on the namespace lab of netns.ts: each host gets a ULA address (fd00:c10c::k/64,
// without duplicate address detection, so it is usable at once), and optionally loses
// its IPv4 address, for an IPv6-only LAN. Everything stays inside the lab's namespaces.
import { execFileSync } from 'node:child_process'
import { createNetnsLab, type NetnsLab } from './netns'

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' })

export interface Netns6Lab extends NetnsLab {
  hosts: (NetnsLab['hosts'][number] & { address6: string })[]
}

export function createNetns6Lab(count: number, options: { ipv4: boolean }): Netns6Lab {
  const lab = createNetnsLab(count)
  try {
    const hosts = lab.hosts.map((h, k) => {
      const address6 = `fd00:c10c::${k + 1}`
      ip('-n', h.ns, 'addr', 'add', `${address6}/64`, 'dev', h.iface, 'nodad')
      if (!options.ipv4) ip('-n', h.ns, '-4', 'addr', 'flush', 'dev', h.iface)
      return { ...h, address6 }
    })
    return { ...lab, hosts }
  } catch (err) {
    lab.destroy()
    throw err
  }
}

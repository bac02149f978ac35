// Which network interface a node uses: by name ("eth0", "veth-a") or by one of its
// IPv4 addresses, from os.networkInterfaces (which lists running interfaces only).
// Multicast is sent and joined on it. IPv4 only for now.
import { networkInterfaces } from 'node:os'
import { InputError } from '../core/errors'

export interface ChosenInterface {
  name: string
  ipv4: string
}

export function chooseInterface(nameOrAddress?: string): ChosenInterface {
  const all = networkInterfaces()
  const entries = Object.entries(all).flatMap(([name, addrs]) =>
    (addrs ?? []).map((a) => ({ name, ...a })),
  )
  const pick = (name: string): ChosenInterface | undefined => {
    const v4 = entries.find((a) => a.name === name && a.family === 'IPv4')
    return v4 === undefined ? undefined : { name, ipv4: v4.address }
  }
  if (nameOrAddress !== undefined) {
    const byAddr = entries.find((a) => a.address === nameOrAddress)
    const found = pick(byAddr?.name ?? nameOrAddress)
    if (found === undefined)
      throw new InputError(
        `--iface ${nameOrAddress}: no such interface with an IPv4 address (have: ${Object.keys(all).join(', ')})`,
      )
    return found
  }
  const external = entries.find((a) => a.family === 'IPv4' && !a.internal)
  return pick(external?.name ?? 'lo') ?? { name: 'lo', ipv4: '127.0.0.1' }
}

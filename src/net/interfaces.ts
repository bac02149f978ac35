// Which network interface a node uses: by name ("eth0", "veth-a") or by one of its
// addresses (IPv4 or IPv6, an IPv6 one with or without its `%scope`), from
// os.networkInterfaces (which lists running interfaces only). The lab's multicast
// groups are joined and sent to on it: IPv4 where it has an IPv4 address, IPv6 where
// it has an IPv6 one (dual stack when both). For IPv6 the interface is named by its
// scope (`%eth0`): that is how the kernel learns the interface index.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import { InputError } from '../core/errors'

export interface ChosenInterface {
  name: string
  /** Its IPv4 address, if it has one. */
  ipv4?: string
  /** Its IPv6 address: a global or ULA one if it has one, else the link-local one with `%name`. */
  ipv6?: string
}

type Entry = NetworkInterfaceInfo & { name: string }

const isLinkLocal6 = (address: string) => /^fe[89ab]/i.test(address)

/** `fe80::1` → `fe80::1%eth0`: a link-local address means nothing without its interface. */
export function scoped(address: string, ifname: string): string {
  return isLinkLocal6(address) && !address.includes('%') ? `${address}%${ifname}` : address
}

export function chooseInterface(nameOrAddress?: string): ChosenInterface {
  const all = networkInterfaces()
  const entries: Entry[] = Object.entries(all).flatMap(([name, addrs]) =>
    (addrs ?? []).map((a) => ({ name, ...a })),
  )
  const pick = (name: string): ChosenInterface | undefined => {
    const mine = entries.filter((a) => a.name === name)
    const v4 = mine.find((a) => a.family === 'IPv4')
    const v6s = mine.filter((a) => a.family === 'IPv6')
    // IPv6 multicast does not work on loopback: there only IPv4 is used.
    const v6 = mine.some((a) => a.internal)
      ? undefined
      : (v6s.find((a) => !isLinkLocal6(a.address)) ?? v6s[0])
    if (v4 === undefined && v6 === undefined) return undefined
    return {
      name,
      ...(v4 === undefined ? {} : { ipv4: v4.address }),
      ...(v6 === undefined ? {} : { ipv6: scoped(v6.address, name) }),
    }
  }
  if (nameOrAddress !== undefined) {
    const bare = nameOrAddress.split('%')[0]
    const byAddr = entries.find((a) => a.address === bare)
    let found = pick(byAddr?.name ?? nameOrAddress)
    // An address given is the one used for its family.
    if (found !== undefined && byAddr !== undefined)
      found =
        byAddr.family === 'IPv4'
          ? { ...found, ipv4: bare }
          : { ...found, ipv6: scoped(bare, byAddr.name) }
    if (found === undefined)
      throw new InputError(
        `--iface ${nameOrAddress}: no such interface with an IPv4 or IPv6 address (have: ${Object.keys(all).join(', ')})`,
      )
    return found
  }
  // An interface with IPv4 first (as before IPv6 was supported), then one with a routable IPv6.
  const external =
    entries.find((a) => !a.internal && a.family === 'IPv4') ??
    entries.find((a) => !a.internal && !isLinkLocal6(a.address)) ??
    entries.find((a) => !a.internal)
  return pick(external?.name ?? 'lo') ?? { name: 'lo', ipv4: '127.0.0.1' }
}

/** "eth0 (10.0.0.2, fd00::2)": for messages. */
export function describeInterface(iface: ChosenInterface): string {
  return `${iface.name} (${[iface.ipv4, iface.ipv6].filter((a) => a !== undefined).join(', ')})`
}

// A node's sockets: a unicast UDP socket on the chosen interface per address family
// it has (IPv4, IPv6, or both on one port number), and the lab's multicast group of
// each family joined on that interface (TTL / hop limit 1: never leaves the LAN).
// Every datagram out is sealed and every datagram in is opened by the envelope
// codec; only authenticated envelopes are emitted. In loopback mode (tests,
// containers without multicast) the "group" is a list of unicast ports on the
// interface's address (127.0.0.1, or ::1).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { EventEmitter } from 'node:events'
import { isIPv6 } from 'node:net'
import {
  BodyTooLargeError,
  Opener,
  Sealer,
  type Body,
  type Envelope,
  type Kind,
  type OpenerOptions,
} from './envelope'
import { scoped, type ChosenInterface } from './interfaces'
import type { LabKeys } from './keys'

export const DEFAULT_GROUP = '239.255.67.76'
/**
 * The IPv6 group: ff12::/16 is link-local scope with the transient flag set (RFC 4291),
 * the IPv6 counterpart of TTL 1 on one LAN: no router forwards it, whatever the hop limit.
 * "c10c:1ab": clock lab.
 */
export const DEFAULT_GROUP6 = 'ff12::c10c:1ab'
export const DEFAULT_PORT = 47667

export type Family = 'ipv4' | 'ipv6'

export interface EndpointOptions {
  keys: LabKeys
  peerId: string
  iface: ChosenInterface
  /** IPv4 multicast group of the lab (administratively scoped 239.255.0.0/16). */
  group?: string
  /** IPv6 multicast group of the lab (link-local scope, ff12::/16). */
  group6?: string
  /** Multicast port (both families). */
  port?: number
  /** Unicast port to bind, the same number for both families (0: any free one). */
  unicastPort?: number
  /** Loopback mode: announce by unicast to these ports on the interface's address instead of multicast. */
  seeds?: number[]
  opener?: OpenerOptions
  /**
   * Application-level loss injection for tests (tc netem is not in every kernel): an
   * authenticated datagram for which this says true is dropped as if the network lost it.
   */
  lose?: (env: Envelope) => boolean
}

export interface EndpointStats {
  sent: number
  tooLarge: number
  sendErrors: number
  /** Datagrams dropped by the `lose` test hook. */
  injectedLoss: number
}

export class Endpoint extends EventEmitter<{ envelope: [Envelope, RemoteInfo] }> {
  readonly opener: Opener
  readonly stats: EndpointStats = { sent: 0, tooLarge: 0, sendErrors: 0, injectedLoss: 0 }
  /** What did not work out but did not stop the node (an IPv6 address not usable yet, say). */
  readonly warnings: string[] = []
  private readonly sealer: Sealer
  private readonly unicast: Partial<Record<Family, Socket>> = {}
  private readonly multicast: Partial<Record<Family, Socket>> = {}
  private boundPort = 0
  private closed = false

  constructor(private readonly options: EndpointOptions) {
    super()
    if (options.iface.ipv4 === undefined && options.iface.ipv6 === undefined)
      throw new RangeError(`interface ${options.iface.name}: no IPv4 or IPv6 address`)
    this.sealer = new Sealer(options.keys, options.peerId)
    this.opener = new Opener(options.keys, options.opener)
  }

  get group(): string {
    return this.options.group ?? DEFAULT_GROUP
  }

  get group6(): string {
    return this.options.group6 ?? DEFAULT_GROUP6
  }

  get port(): number {
    return this.boundPort
  }

  /** The lab's multicast port. */
  get multicastPort(): number {
    return this.options.port ?? DEFAULT_PORT
  }

  /** The address families this node has sockets for. */
  get families(): Family[] {
    return (['ipv4', 'ipv6'] as const).filter((f) => this.unicast[f] !== undefined)
  }

  async start(): Promise<void> {
    const { iface } = this.options
    const wanted = this.options.unicastPort ?? 0
    // One port number for both families; a kernel-chosen IPv4 port may be taken on IPv6.
    for (let attempt = 0; ; attempt++)
      try {
        await this.bindUnicast(wanted)
        break
      } catch (err) {
        this.closeSockets()
        if (wanted !== 0 || attempt >= 8 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE')
          throw err
      }
    if (this.options.seeds !== undefined) return
    const port = this.options.port ?? DEFAULT_PORT
    const u4 = this.unicast.ipv4
    if (u4 !== undefined && iface.ipv4 !== undefined) {
      u4.setMulticastTTL(1)
      u4.setMulticastInterface(iface.ipv4)
      u4.setMulticastLoopback(true)
      const m = this.socket('ipv4', this.multicast, true)
      await bind(m, port, this.group)
      m.addMembership(this.group, iface.ipv4)
    }
    const u6 = this.unicast.ipv6
    if (u6 !== undefined)
      try {
        const scope = `::%${iface.name}`
        u6.setMulticastTTL(1) // the hop limit
        u6.setMulticastInterface(scope)
        u6.setMulticastLoopback(true)
        const m = this.socket('ipv6', this.multicast, true)
        await bind(m, port, `${this.group6}%${iface.name}`)
        m.addMembership(this.group6, scope)
      } catch (err) {
        if (u4 === undefined) throw err
        this.dropIpv6(`IPv6 group ${this.group6} on ${iface.name}: ${(err as Error).message}`)
      }
  }

  sendTo<K extends Kind>(address: string, port: number, kind: K, body: Body<K>): void {
    if (this.closed) return
    const socket = this.unicast[isIPv6(address.split('%')[0]) ? 'ipv6' : 'ipv4']
    if (socket === undefined) {
      this.stats.sendErrors++
      return
    }
    let datagram: Buffer
    try {
      datagram = this.sealer.seal(kind, body)
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        this.stats.tooLarge++
        return
      }
      throw err
    }
    this.stats.sent++
    socket.send(datagram, port, scoped(address, this.options.iface.name), (err) => {
      if (err) this.stats.sendErrors++
    })
  }

  /**
   * To every node of the lab: the multicast group of each family this node has (or of
   * `families` only), or the seed ports in loopback mode. One datagram per family, each
   * sealed on its own (a copy would be a replay to a dual-stack receiver).
   */
  announce<K extends Kind>(
    kind: K,
    body: Body<K>,
    families: readonly Family[] = this.families,
  ): void {
    const seeds = this.options.seeds
    const { iface } = this.options
    if (seeds !== undefined) {
      const host = iface.ipv4 ?? (iface.ipv6 as string)
      for (const p of seeds) if (p !== this.port) this.sendTo(host, p, kind, body)
      return
    }
    const port = this.options.port ?? DEFAULT_PORT
    if (families.includes('ipv4') && this.unicast.ipv4 !== undefined)
      this.sendTo(this.group, port, kind, body)
    if (families.includes('ipv6') && this.unicast.ipv6 !== undefined)
      this.sendTo(`${this.group6}%${iface.name}`, port, kind, body)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.closeSockets()
  }

  private async bindUnicast(wanted: number): Promise<void> {
    const { iface } = this.options
    let port = wanted
    if (iface.ipv4 !== undefined) {
      const u4 = this.socket('ipv4', this.unicast, false)
      await bind(u4, port, iface.ipv4)
      port = u4.address().port
    }
    // An address still in duplicate address detection cannot be bound yet (EADDRNOTAVAIL):
    // IPv6-only, wait for it up to 3 s; dual stack, go on with IPv4 and say so.
    const deadline = Date.now() + (iface.ipv4 === undefined ? 3000 : 0)
    for (let ready = false; iface.ipv6 !== undefined && !ready;)
      try {
        const u6 = this.socket('ipv6', this.unicast, false)
        await bind(u6, port, iface.ipv6)
        port = u6.address().port
        ready = true
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'EADDRNOTAVAIL' && Date.now() < deadline) {
          this.dropIpv6()
          await new Promise((r) => setTimeout(r, 100))
        } else if (iface.ipv4 !== undefined && code !== 'EADDRINUSE') {
          this.dropIpv6(`IPv6 address ${iface.ipv6}: ${(err as Error).message}`)
          break
        } else throw err
      }
    this.boundPort = port
  }

  /** Goes on without IPv6 (its sockets closed), with the reason among the warnings. */
  private dropIpv6(why?: string): void {
    for (const group of [this.unicast, this.multicast]) {
      try {
        group.ipv6?.close()
      } catch {
        // never bound
      }
      delete group.ipv6
    }
    if (why !== undefined) this.warnings.push(`${why}; using IPv4 only`)
  }

  private socket(family: Family, into: Partial<Record<Family, Socket>>, shared: boolean): Socket {
    const s = createSocket({
      type: family === 'ipv4' ? 'udp4' : 'udp6',
      reuseAddr: shared,
      ipv6Only: family === 'ipv6',
    })
    s.on('message', (d, r) => this.receive(d, r))
    s.on('error', () => this.stats.sendErrors++)
    into[family] = s
    return s
  }

  private closeSockets(): void {
    for (const group of [this.unicast, this.multicast])
      for (const f of ['ipv4', 'ipv6'] as const) {
        try {
          group[f]?.close()
        } catch {
          // never bound
        }
        delete group[f]
      }
  }

  private receive(data: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return
    const r = this.opener.open(data)
    if (!r.ok || r.envelope.sender === this.options.peerId) return
    if (this.options.lose?.(r.envelope)) {
      this.stats.injectedLoss++
      return
    }
    this.emit('envelope', r.envelope, rinfo)
  }
}

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, address, () => {
      socket.off('error', reject)
      resolve()
    })
  })
}

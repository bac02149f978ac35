// A node's sockets: one unicast UDP socket on the chosen interface, and the lab's
// multicast group joined on that interface (TTL 1: never leaves the LAN). Every
// datagram out is sealed and every datagram in is opened by the envelope codec;
// only authenticated envelopes are emitted. In loopback mode (tests, containers
// without multicast) the "group" is a list of unicast ports on 127.0.0.1.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { EventEmitter } from 'node:events'
import {
  BodyTooLargeError,
  Opener,
  Sealer,
  type Body,
  type Envelope,
  type Kind,
  type OpenerOptions,
} from './envelope'
import type { ChosenInterface } from './interfaces'
import type { LabKeys } from './keys'

export const DEFAULT_GROUP = '239.255.67.76'
export const DEFAULT_PORT = 47667

export interface EndpointOptions {
  keys: LabKeys
  peerId: string
  iface: ChosenInterface
  /** Multicast group and port of the lab (administratively scoped 239.255.0.0/16). */
  group?: string
  port?: number
  /** Unicast port to bind (0: any free one). */
  unicastPort?: number
  /** Loopback mode: announce by unicast to these ports on 127.0.0.1 instead of multicast. */
  seeds?: number[]
  opener?: OpenerOptions
}

export interface EndpointStats {
  sent: number
  tooLarge: number
  sendErrors: number
}

export class Endpoint extends EventEmitter<{ envelope: [Envelope, RemoteInfo] }> {
  readonly opener: Opener
  readonly stats: EndpointStats = { sent: 0, tooLarge: 0, sendErrors: 0 }
  private readonly sealer: Sealer
  private readonly unicast: Socket
  private multicastSocket: Socket | undefined
  private closed = false

  constructor(private readonly options: EndpointOptions) {
    super()
    this.sealer = new Sealer(options.keys, options.peerId)
    this.opener = new Opener(options.keys, options.opener)
    this.unicast = createSocket('udp4')
    this.unicast.on('message', (d, r) => this.receive(d, r))
    this.unicast.on('error', () => this.stats.sendErrors++)
  }

  get group(): string {
    return this.options.group ?? DEFAULT_GROUP
  }

  get port(): number {
    return this.unicast.address().port
  }

  async start(): Promise<void> {
    const { iface } = this.options
    await bind(this.unicast, this.options.unicastPort ?? 0, iface.ipv4)
    if (this.options.seeds !== undefined) return
    this.unicast.setMulticastTTL(1)
    this.unicast.setMulticastInterface(iface.ipv4)
    this.unicast.setMulticastLoopback(true)
    const m = createSocket({ type: 'udp4', reuseAddr: true })
    m.on('message', (d, r) => this.receive(d, r))
    m.on('error', () => this.stats.sendErrors++)
    await bind(m, this.options.port ?? DEFAULT_PORT, this.group)
    m.addMembership(this.group, iface.ipv4)
    this.multicastSocket = m
  }

  sendTo<K extends Kind>(address: string, port: number, kind: K, body: Body<K>): void {
    if (this.closed) return
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
    this.unicast.send(datagram, port, address, (err) => {
      if (err) this.stats.sendErrors++
    })
  }

  /** To every node of the lab: the multicast group, or the seed ports in loopback mode. */
  announce<K extends Kind>(kind: K, body: Body<K>): void {
    const seeds = this.options.seeds
    if (seeds !== undefined) {
      for (const p of seeds) if (p !== this.port) this.sendTo('127.0.0.1', p, kind, body)
    } else this.sendTo(this.group, this.options.port ?? DEFAULT_PORT, kind, body)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.unicast.close()
    this.multicastSocket?.close()
  }

  private receive(data: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return
    const r = this.opener.open(data)
    if (r.ok && r.envelope.sender !== this.options.peerId) this.emit('envelope', r.envelope, rinfo)
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

// A node of a lab on the LAN: its sockets (endpoint.ts), discovery and membership
// (discovery.ts), and reliable FIFO streams to every member (reliable.ts). Above
// it, experiments and the live driver only see members and `send(peer, json)`.
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { JsonValue } from '../core/json'
import { Discovery } from './discovery'
import { Endpoint, type EndpointOptions } from './endpoint'
import type { Member, MembershipEvent } from './membership'
import { ReliableStreams, type Transmit } from './reliable'

export interface LanPeerOptions extends Omit<EndpointOptions, 'peerId'> {
  /** 16 hex digits; random when absent (the CLI keeps one per state dir). */
  peerId?: string
  name?: string
  heartbeatMs?: number
  timeoutMs?: number
  rtoMs?: number
}

export const newPeerId = (): string => randomBytes(8).toString('hex')

export class LanPeer extends EventEmitter<{
  message: [string, JsonValue]
  membership: [MembershipEvent]
}> {
  readonly id: string
  readonly epoch = randomBytes(4).toString('hex')
  readonly name: string
  readonly endpoint: Endpoint
  readonly discovery: Discovery
  readonly streams: ReliableStreams
  private retransmitTimer: NodeJS.Timeout | undefined

  private constructor(options: LanPeerOptions) {
    super()
    this.id = options.peerId ?? newPeerId()
    this.name = options.name ?? this.id.slice(0, 6)
    this.endpoint = new Endpoint({ ...options, peerId: this.id })
    this.streams = new ReliableStreams(this.epoch, { rtoMs: options.rtoMs })
    this.discovery = new Discovery(this.endpoint, this.id, {
      name: this.name,
      epoch: this.epoch,
      heartbeatMs: options.heartbeatMs,
      timeoutMs: options.timeoutMs,
    })
    this.discovery.on('membership', (e) => {
      if (e.kind !== 'join') this.streams.forget(e.member.id)
      this.emit('membership', e)
    })
    this.endpoint.on('envelope', (env, rinfo) => {
      const now = performance.now()
      if (env.kind === 'ack') this.transmit(this.streams.ack(env.sender, env.body, now))
      else if (env.kind === 'data') {
        const { deliver, ack } = this.streams.receive(env.sender, env.body)
        if (ack !== undefined) this.endpoint.sendTo(rinfo.address, rinfo.port, 'ack', ack)
        for (const body of deliver) this.emit('message', env.sender, body)
      }
    })
  }

  static async start(options: LanPeerOptions): Promise<LanPeer> {
    const peer = new LanPeer(options)
    await peer.endpoint.start()
    peer.discovery.start()
    const rto = options.rtoMs ?? 100
    peer.retransmitTimer = setInterval(
      () => peer.transmit(peer.streams.due(performance.now())),
      Math.max(5, rto / 2),
    )
    return peer
  }

  members(): Member[] {
    return this.discovery.members()
  }

  /** Reliable, in-order send to a member; false if it is not in the view. */
  send(peerId: string, body: JsonValue): boolean {
    const m = this.discovery.membership.get(peerId)
    if (m === undefined) return false
    this.transmit(this.streams.send(peerId, m.epoch, body, performance.now()))
    return true
  }

  /** Leave the lab: goodbye to the members, then sockets closed once it has gone out. */
  async close(): Promise<void> {
    clearInterval(this.retransmitTimer)
    this.discovery.stop(true)
    await new Promise((r) => setTimeout(r, 20))
    this.endpoint.close()
  }

  /** Vanish without a goodbye, as a killed process does (tests). */
  kill(): void {
    clearInterval(this.retransmitTimer)
    this.discovery.stop(false)
    this.endpoint.close()
  }

  private transmit(frames: Transmit[]): void {
    for (const { peer, frame } of frames) {
      const m = this.discovery.membership.get(peer)
      if (m !== undefined) this.endpoint.sendTo(m.address, m.port, 'data', frame)
    }
  }
}

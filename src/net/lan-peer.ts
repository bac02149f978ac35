// A node of a lab on the LAN: its sockets (endpoint.ts), discovery and membership
// (discovery.ts), and reliable FIFO streams to every member (reliable.ts), with
// broadcasts by unicast fan-out or by reliable multicast (broadcast-path.ts). Above
// it, experiments and the live driver only see members and `send(peer, json)`.
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { JsonValue } from '../core/json'
import { BroadcastPath, type BroadcastMode } from './broadcast-path'
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
  // -- broadcast transport (broadcast-path.ts) --
  /** How a body sent to several members in one turn travels (default 'unicast'). */
  broadcast?: BroadcastMode
  /** Gap age before a NACK, ms (default 30). */
  nackMs?: number
  // -- end broadcast transport --
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
  readonly path: BroadcastPath
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
    // -- broadcast transport: data, acks, broadcasts, NACKs go through the path --
    this.path = new BroadcastPath({
      mode: options.broadcast ?? 'unicast',
      endpoint: this.endpoint,
      streams: this.streams,
      self: this.id,
      epoch: this.epoch,
      member: (id) => this.discovery.membership.get(id),
      deliver: (from, body) => this.emit('message', from, body),
      transmit: (frames) => this.transmit(frames),
      options: { nackMs: options.nackMs, heartbeatMs: options.heartbeatMs },
    })
    this.discovery.on('membership', (e) => {
      if (e.kind !== 'join') {
        this.streams.forget(e.member.id)
        this.path.forget(e.member.id)
      }
      this.emit('membership', e)
    })
    this.endpoint.on('envelope', (env, rinfo) => void this.path.receive(env, rinfo))
    // -- end broadcast transport --
  }

  static async start(options: LanPeerOptions): Promise<LanPeer> {
    const peer = new LanPeer(options)
    await peer.endpoint.start()
    peer.discovery.start()
    const rto = options.rtoMs ?? 100
    peer.retransmitTimer = setInterval(
      () => {
        peer.transmit(peer.streams.due(performance.now()))
        peer.path.tick(performance.now())
      },
      Math.max(5, rto / 2),
    )
    return peer
  }

  members(): Member[] {
    return this.discovery.members()
  }

  /** Reliable, in-order send to a member; false if it is not in the view. */
  send(peerId: string, body: JsonValue): boolean {
    return this.path.send(peerId, body)
  }

  /** Leave the lab: goodbye to the members, then sockets closed once it has gone out. */
  async close(): Promise<void> {
    this.path.flush()
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

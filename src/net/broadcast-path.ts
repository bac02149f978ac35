// How a lan peer's messages travel: the reliable unicast streams (reliable.ts) and,
// in `multicast` broadcast mode, the reliable multicast broadcast (multicast.ts).
//
// Sending, multicast mode: what the layers above send within one turn of the event
// loop is queued and then sent in order; a run of sends of one and the same body to
// several peers (a broadcast: the live driver fans one message out to every peer) goes
// out as one multicast datagram to the peers this one has a unicast stream with (a
// frame sent and acked: that tells them where its broadcasts start for them), and as
// a unicast copy to the others. A body too large for one datagram, or a run of fewer
// than two such peers, goes by unicast. Unicast frames carry the broadcast barrier and
// broadcasts the unicast frames still unacked before them, so a receiver keeps each
// sender's unicasts and broadcasts in the order they were sent (multicast.ts).
// Unicast mode: every send is a reliable unicast, as before.
//
// Receiving works the same in both modes (a lab may mix them): data frames, broadcasts,
// repairs, NACKs and broadcast heartbeats all end in one in-order delivery per sender.
import type { RemoteInfo } from 'node:dgram'
import { isIPv6 } from 'node:net'
import type { JsonValue } from '../core/json'
import type { Endpoint, Family } from './endpoint'
import type { Envelope } from './envelope'
import type { Member } from './membership'
import { BroadcastStreams, type BroadcastOptions } from './multicast'
import type { ReliableStreams, Transmit } from './reliable'

export type BroadcastMode = 'unicast' | 'multicast'

export interface BroadcastPathDeps {
  mode: BroadcastMode
  endpoint: Endpoint
  streams: ReliableStreams
  self: string
  epoch: string
  member: (id: string) => Member | undefined
  deliver: (from: string, body: JsonValue) => void
  transmit: (frames: Transmit[]) => void
  options?: BroadcastOptions
}

export interface PathStats {
  /** Broadcast runs that went out as one multicast datagram, and the peers they reached that way. */
  multicasts: number
  multicastPeers: number
  /** Copies sent by unicast instead (stream not idle, too large, or a single peer). */
  unicastCopies: number
  /** Of those, copies of bodies too large for one datagram. */
  tooLarge: number
}

export class BroadcastPath {
  readonly broadcasts: BroadcastStreams
  readonly stats: PathStats = {
    multicasts: 0,
    multicastPeers: 0,
    unicastCopies: 0,
    tooLarge: 0,
  }
  private pending: { peer: string; body: JsonValue; text: string }[] = []
  private readonly lastAddress = new Map<string, { address: string; port: number }>()

  constructor(private readonly d: BroadcastPathDeps) {
    this.broadcasts = new BroadcastStreams(d.self, d.epoch, d.options)
  }

  /** Reliable, in-order send to a member; false if it is not in the view. */
  send(peer: string, body: JsonValue): boolean {
    const m = this.d.member(peer)
    if (m === undefined) return false
    if (this.d.mode === 'unicast') {
      this.d.transmit(this.d.streams.send(peer, m.epoch, body, performance.now()))
      return true
    }
    if (this.pending.length === 0) queueMicrotask(() => this.flush())
    this.pending.push({ peer, body, text: JSON.stringify(body) })
    return true
  }

  /** Sends what is queued (also called before the peer leaves). */
  flush(): void {
    const q = this.pending
    this.pending = []
    for (let k = 0; k < q.length;) {
      const peers = [q[k].peer]
      let j = k + 1
      while (j < q.length && q[j].text === q[k].text && !peers.includes(q[j].peer))
        peers.push(q[j++].peer)
      this.fanOut(peers, q[k].body)
      k = j
    }
  }

  /** An authenticated datagram for the streams; false if it is not of their kinds. */
  receive(env: Envelope, rinfo: RemoteInfo): boolean {
    const { streams } = this.d
    const broadcasts = this.broadcasts
    const now = performance.now()
    switch (env.kind) {
      case 'ack':
        this.d.transmit(streams.ack(env.sender, env.body, now))
        return true
      case 'data': {
        this.lastAddress.set(env.sender, { address: rinfo.address, port: rinfo.port })
        const { deliver, meta, ack } = streams.receive(env.sender, env.body)
        if (ack !== undefined) this.d.endpoint.sendTo(rinfo.address, rinfo.port, 'ack', ack)
        deliver.forEach((body, k) =>
          this.hand(env.sender, broadcasts.unicast(env.sender, env.body.ep, body, meta[k])),
        )
        return true
      }
      case 'mcast':
        this.lastAddress.set(env.sender, { address: rinfo.address, port: rinfo.port })
        this.hand(env.sender, broadcasts.multicast(env.sender, env.body))
        return true
      case 'nack':
        for (const m of broadcasts.repair(env.body))
          this.d.endpoint.sendTo(rinfo.address, rinfo.port, 'mcast', m)
        return true
      case 'mhb':
        this.lastAddress.set(env.sender, { address: rinfo.address, port: rinfo.port })
        broadcasts.heard(env.sender, env.body)
        return true
      default:
        return false
    }
  }

  /** Periodic work: NACKs for gaps, and this sender's broadcast heartbeat. */
  tick(now: number): void {
    for (const n of this.broadcasts.nacks(now)) {
      const m = this.d.member(n.peer) ?? this.lastAddress.get(n.peer)
      if (m !== undefined) this.d.endpoint.sendTo(m.address, m.port, 'nack', n.body)
    }
    const hb = this.broadcasts.heartbeat(now)
    if (hb !== undefined) this.d.endpoint.announce('mhb', hb)
  }

  forget(peer: string): void {
    this.broadcasts.forget(peer)
    this.lastAddress.delete(peer)
  }

  private hand(from: string, bodies: JsonValue[]): void {
    for (const b of bodies) this.d.deliver(from, b)
  }

  private fanOut(peers: string[], body: JsonValue): void {
    const now = performance.now()
    const members = peers.map((id) => this.d.member(id)).filter((m) => m !== undefined)
    const wait: Record<string, number> = {}
    const known = members.filter((m) => {
      const { frames, acked } = this.d.streams.sent(m.id, m.epoch)
      if (acked < frames) wait[m.id] = frames
      // Its first frame acked: it knows where this sender's broadcasts start for it.
      return acked > 0
    })
    const viaGroup = known.length >= 2 ? known : []
    const unicast = (ms: Member[]) => {
      const bs = this.broadcasts.barrier
      for (const m of ms) {
        this.stats.unicastCopies += peers.length > 1 ? 1 : 0
        this.d.transmit(this.d.streams.send(m.id, m.epoch, body, now, bs))
      }
    }
    // Copies first, with the barrier before this broadcast's number: they need not wait for it.
    unicast(members.filter((m) => !viaGroup.includes(m)))
    if (viaGroup.length === 0) return
    for (const id of Object.keys(wait)) if (!viaGroup.some((x) => x.id === id)) delete wait[id]
    const m = this.broadcasts.broadcast(
      viaGroup.map((x) => x.id),
      body,
      wait,
    )
    if (m === undefined) {
      this.stats.tooLarge += viaGroup.length
      return unicast(viaGroup)
    }
    const families = new Set<Family>(
      viaGroup.map((x) => (isIPv6(x.address.split('%')[0]) ? 'ipv6' : 'ipv4')),
    )
    this.stats.multicasts++
    this.stats.multicastPeers += viaGroup.length
    this.d.endpoint.announce('mcast', m, [...families])
  }
}

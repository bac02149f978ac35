// The membership view, without I/O: fed the hellos and goodbyes that arrived and
// the current time, it says who joined, who left on purpose, who went silent past
// the timeout (crashed), and who came back as a new boot of itself (restarted).
// The discovery service (discovery.ts) owns the sockets and the timers.
// Dual stack: a peer that announces on both IPv4 and IPv6 is one member (by its id);
// unicast goes to its IPv4 address once one is known, else to its IPv6 one, so its
// streams use one address family (switching at most once, IPv6 to IPv4, at the start).
import { isIPv6 } from 'node:net'

export interface Member {
  /** The peer's id: 16 hex digits, stable across its restarts. */
  id: string
  name: string
  /** Where unicast to it goes: its IPv4 address if it announced on IPv4, else its IPv6 one. */
  address: string
  /** Every address it announced from, by family. */
  addresses: { ipv4?: string; ipv6?: string }
  /** Its unicast port. */
  port: number
  /** Which boot of it this is: changes when its process restarts. */
  epoch: string
  /** When it joined (this boot), and when it was last heard, in this node's ms. */
  since: number
  lastHeard: number
}

export type MembershipEvent =
  | { kind: 'join'; member: Member }
  | { kind: 'restart'; member: Member; previous: Member }
  | { kind: 'leave'; member: Member }
  | { kind: 'crash'; member: Member }

export interface Hello {
  id: string
  name: string
  address: string
  port: number
  epoch: string
}

export class Membership {
  private readonly members = new Map<string, Member>()

  constructor(
    readonly self: string,
    /** Silence after which a member counts as crashed, ms. */
    readonly timeoutMs: number,
  ) {}

  hello(h: Hello, now: number): MembershipEvent[] {
    if (h.id === this.self) return []
    const old = this.members.get(h.id)
    const family = isIPv6(h.address.split('%')[0]) ? 'ipv6' : 'ipv4'
    if (old !== undefined && old.epoch === h.epoch) {
      old.lastHeard = now
      old.addresses[family] = h.address
      old.address = old.addresses.ipv4 ?? h.address
      old.port = h.port
      old.name = h.name
      return []
    }
    const member: Member = { ...h, addresses: { [family]: h.address }, since: now, lastHeard: now }
    this.members.set(h.id, member)
    return old === undefined
      ? [{ kind: 'join', member }]
      : [{ kind: 'restart', member, previous: old }]
  }

  bye(id: string, epoch: string): MembershipEvent[] {
    const m = this.members.get(id)
    if (m === undefined || m.epoch !== epoch) return []
    this.members.delete(id)
    return [{ kind: 'leave', member: m }]
  }

  /** Any authenticated datagram from a member counts as a heartbeat. */
  heard(id: string, now: number): void {
    const m = this.members.get(id)
    if (m !== undefined) m.lastHeard = now
  }

  /** Members silent for longer than the timeout are crashed and leave the view. */
  tick(now: number): MembershipEvent[] {
    const out: MembershipEvent[] = []
    for (const m of this.members.values())
      if (now - m.lastHeard > this.timeoutMs) {
        this.members.delete(m.id)
        out.push({ kind: 'crash', member: m })
      }
    return out
  }

  get(id: string): Member | undefined {
    return this.members.get(id)
  }

  /** The live members, by id. */
  list(): Member[] {
    return [...this.members.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }
}

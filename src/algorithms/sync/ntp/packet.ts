// NTP's on-wire arithmetic (RFC 5905, section 8): the four timestamps of one
// exchange, T1 (client sends), T2 (server receives), T3 (server sends) and T4
// (client receives), each read on its own node's clock, give
//   offset θ = ((T2 − T1) + (T3 − T4)) / 2   (server minus client)
//   delay  δ = (T4 − T1) − (T3 − T2)         (the round trip, server time left out)
// and θ is off by at most δ/2: the two one-way delays could split δ any way.
import type { NodeId } from '../../../core/process'

/** The association modes the lab runs (RFC 5905: 1 symmetric active, 3 client, 4 server, 5 broadcast). */
export type NtpMode = 'client' | 'server' | 'symmetric' | 'broadcast'

/** Stratum 16: unsynchronized (a source saying so is never used). */
export const UNSYNCHRONIZED = 16
/** Largest valid stratum. */
export const MAX_STRATUM = 15

export interface NtpPacket {
  type: 'ntp'
  mode: NtpMode
  /** Origin: the transmit time of the packet this one answers (null: it answers none). */
  org: number | null
  /** Receive: when the packet this one answers arrived here (null: it answers none). */
  rec: number | null
  /** Transmit: when this packet left, on the sender's clock. */
  xmt: number
  stratum: number
  /** The sender's round trip to the reference, summed down the hierarchy, ms. */
  rootDelay: number
  /** The sender's accumulated error bound to the reference, ms. */
  rootDisp: number
  /** Whom the sender follows: a node id, or -1 for its own reference. */
  refid: NodeId | -1
}

/** θ: how far the server's clock is ahead of the client's, ms. */
export function ntpOffset(t1: number, t2: number, t3: number, t4: number): number {
  return (t2 - t1 + (t3 - t4)) / 2
}

/** δ: the round trip, without the time the server held the request, ms. */
export function ntpDelay(t1: number, t2: number, t3: number, t4: number): number {
  return t4 - t1 - (t3 - t2)
}

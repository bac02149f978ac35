// What a client makes of a server's reply (RFC 5905 §8, §7.4): the checks that reject it
// (not a server reply, origin not our request: spoofed or stale, kiss-o'-death, server
// unsynchronized, impossible timestamps or root distance), then the four-timestamp
// arithmetic: offset θ = ((T2 − T1) + (T3 − T4)) / 2, delay δ = (T4 − T1) − (T3 − T2).
import { TimeInputError } from '../errors'
import type { TimeSample } from '../source'
import { kissCode, NTP_MODES, refidToString, type NtpPacket } from './codec'
import { ntpDiffSeconds, ntpToUnixNs } from './timestamp'

/** The frequency tolerance RFC 5905 assumes for dispersion growth (PHI): 15 ppm. */
export const PHI = 15e-6
/** Root delay or dispersion at or beyond this is nonsense (RFC 5905 MAXDISP), s. */
export const MAXDISP = 16

export type NtpReplyCode =
  | 'not-a-reply'
  | 'origin-mismatch'
  | 'kiss-of-death'
  | 'unsynchronized'
  | 'bad-timestamps'
  | 'bad-root-distance'
  | 'no-reply'

export class NtpReplyError extends TimeInputError<NtpReplyCode> {
  override readonly name: string = 'NtpReplyError'
}

/** A kiss-o'-death: DENY and RSTR mean stop asking this server, RATE means ask less often. */
export class KissOfDeathError extends NtpReplyError {
  override readonly name = 'KissOfDeathError'
  constructor(readonly kiss: string) {
    super('kiss-of-death', `kiss-o'-death ${kiss} from the server`)
  }

  get stop(): boolean {
    return this.kiss === 'DENY' || this.kiss === 'RSTR'
  }
}

/** Throws NtpReplyError unless `reply` answers the request whose transmit field was `sent`. */
export function checkReply(reply: NtpPacket, sent: bigint): void {
  if (reply.mode !== NTP_MODES.server)
    throw new NtpReplyError('not-a-reply', `mode ${reply.mode}, a server replies in mode 4`)
  // Checked before the kiss: a spoofed kiss-o'-death must not silence a server.
  if (reply.originTimestamp !== sent)
    throw new NtpReplyError(
      'origin-mismatch',
      'origin timestamp is not our request (stale or spoofed)',
    )
  const kiss = kissCode(reply)
  if (kiss !== undefined) throw new KissOfDeathError(kiss)
  if (reply.leap === 3 || reply.stratum === 16)
    throw new NtpReplyError('unsynchronized', 'the server says it is unsynchronized')
  if (reply.receiveTimestamp === 0n || reply.transmitTimestamp === 0n)
    throw new NtpReplyError('bad-timestamps', 'receive or transmit timestamp is zero')
  if (ntpDiffSeconds(reply.transmitTimestamp, reply.receiveTimestamp) < 0)
    throw new NtpReplyError('bad-timestamps', 'the server sent before it received')
  if (reply.rootDelay >= MAXDISP || reply.rootDispersion >= MAXDISP)
    throw new NtpReplyError('bad-root-distance', 'root delay or dispersion of 16 s or more')
}

/** Who took a local timestamp: the kernel (a socket timestamp) or a clock read in user space. */
export type StampSource = 'kernel' | 'user'

/** Local timestamps of one exchange: T1 (sent) and T4 (received) on REALTIME and MONOTONIC_RAW. */
export interface LocalStamps {
  t1: bigint
  t4: bigint
  raw1?: bigint
  raw4?: bigint
  sources?: { t1: StampSource; t4: StampSource }
}

export interface NtpMeasurement extends TimeSample {
  server: string
  version: number
  poll: number
  precision: number
  /** T1..T4 as Unix ns. */
  t1: bigint
  t2: bigint
  t3: bigint
  t4: bigint
  /** Where T1 and T4 came from, when the client said. */
  stampSources?: { t1: StampSource; t4: StampSource }
}

/** The sample one checked reply gives. `localPrecision` is log2 of our clock's precision. */
export function measure(
  server: { name: string; address: string },
  reply: NtpPacket,
  local: LocalStamps,
  localPrecision: number,
): NtpMeasurement {
  const t2 = ntpToUnixNs(reply.receiveTimestamp, local.t1)
  const t3 = ntpToUnixNs(reply.transmitTimestamp, local.t1)
  const offsetNs = (t2 - local.t1 + (t3 - local.t4)) / 2n
  const delayNs = local.t4 - local.t1 - (t3 - t2)
  const delay = Math.max(Number(delayNs) / 1e9, 0)
  const localNs = (local.t1 + local.t4) / 2n
  return {
    source: `ntp ${server.name}`,
    server: server.name,
    address: server.address,
    referenceNs: localNs + offsetNs,
    localNs,
    ...(local.raw1 !== undefined && local.raw4 !== undefined
      ? { localRawNs: (local.raw1 + local.raw4) / 2n }
      : {}),
    offset: Number(offsetNs) / 1e9,
    delay,
    dispersion:
      2 ** reply.precision + 2 ** localPrecision + PHI * (Number(local.t4 - local.t1) / 1e9),
    rootDelay: reply.rootDelay,
    rootDispersion: reply.rootDispersion,
    stratum: reply.stratum,
    refid: refidToString(reply.stratum, reply.referenceId),
    leap: reply.leap,
    version: reply.version,
    poll: reply.poll,
    precision: reply.precision,
    t1: local.t1,
    t2,
    t3,
    t4: local.t4,
    ...(local.sources !== undefined ? { stampSources: local.sources } : {}),
  }
}

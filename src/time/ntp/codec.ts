// The NTP packet codec (RFC 5905 §7.3, extension fields per RFC 7822): decodes a datagram into
// a typed packet, validating every header field against its domain, skipping extension fields
// safely and recognising a trailing MAC; encodes the 48-byte header. Anything malformed
// becomes an NtpDecodeError with a code, never an exception of another kind.
import { createHash } from 'node:crypto'
import { isIPv4 } from 'node:net'
import { TimeInputError } from '../errors'
import type { LeapIndicator } from '../source'
import { shortToSeconds } from './timestamp'

export const NTP_HEADER_BYTES = 48
/** Larger datagrams are refused outright (NTS-sized packets stay well below). */
export const NTP_MAX_BYTES = 2048

export const NTP_MODES = {
  symmetricActive: 1,
  symmetricPassive: 2,
  client: 3,
  server: 4,
  broadcast: 5,
} as const
export type NtpMode = 1 | 2 | 3 | 4 | 5

/** Poll exponents anyone uses: chrony's minpoll goes down to -7 and maxpoll up to 24. */
export const POLL_RANGE = [-7, 24] as const
/**
 * Precision exponents: 2^-32 s (sub-ns) up to 32, which chrony puts in its requests as
 * "not given" (a client's precision means nothing to a server).
 */
export const PRECISION_RANGE = [-32, 32] as const

export type NtpDecodeCode =
  | 'truncated'
  | 'too-long'
  | 'bad-version'
  | 'bad-mode'
  | 'bad-stratum'
  | 'bad-poll'
  | 'bad-precision'
  | 'bad-extension'

export class NtpDecodeError extends TimeInputError<NtpDecodeCode> {
  override readonly name = 'NtpDecodeError'
}

export interface NtpExtension {
  type: number
  /** The whole field's length in bytes, header included. */
  length: number
}

export interface NtpPacket {
  leap: LeapIndicator
  version: number
  mode: NtpMode
  stratum: number
  /** log2 of the poll interval, s. */
  poll: number
  /** log2 of the sender's clock precision, s. */
  precision: number
  /** Seconds (decoded from the 16.16 short format). */
  rootDelay: number
  rootDispersion: number
  referenceId: number
  referenceTimestamp: bigint
  originTimestamp: bigint
  receiveTimestamp: bigint
  transmitTimestamp: bigint
  extensions: readonly NtpExtension[]
  /** A trailing message authentication code (key id and total length), if one is there. */
  mac?: { keyId: number; length: number }
}

/** The fields encode() needs; the rest default to zero. */
export type NtpHeader = Omit<NtpPacket, 'extensions' | 'mac'>

const fail = (code: NtpDecodeCode, message: string): never => {
  throw new NtpDecodeError(code, message)
}

/** Lengths of what may follow the last extension field: a crypto-NAK, an MD5 or a SHA-1 MAC. */
const MAC_LENGTHS = new Set([4, 20, 24])

export function decodeNtp(data: Uint8Array): NtpPacket {
  const length = data.length
  if (length < NTP_HEADER_BYTES)
    fail('truncated', `NTP packet of ${length} bytes, the header alone is ${NTP_HEADER_BYTES}`)
  if (length > NTP_MAX_BYTES) fail('too-long', `NTP packet of ${length} bytes`)
  const view = new DataView(data.buffer, data.byteOffset, length)
  const first = view.getUint8(0)
  const version = (first >> 3) & 7
  const mode = first & 7
  if (version < 1 || version > 4) fail('bad-version', `NTP version ${version}`)
  if (mode < 1 || mode > 5) fail('bad-mode', `NTP mode ${mode} (control and private modes)`)
  const stratum = view.getUint8(1)
  if (stratum > 16) fail('bad-stratum', `stratum ${stratum} is reserved`)
  const poll = view.getInt8(2)
  if (poll < POLL_RANGE[0] || poll > POLL_RANGE[1]) fail('bad-poll', `poll exponent ${poll}`)
  const precision = view.getInt8(3)
  if (precision < PRECISION_RANGE[0] || precision > PRECISION_RANGE[1])
    fail('bad-precision', `precision exponent ${precision}`)

  const extensions: NtpExtension[] = []
  let mac: NtpPacket['mac']
  let at = NTP_HEADER_BYTES
  while (at < length) {
    const rest = length - at
    if (MAC_LENGTHS.has(rest)) {
      mac = { keyId: view.getUint32(at), length: rest }
      break
    }
    if (version !== 4) fail('bad-extension', `NTPv${version} with ${rest} trailing bytes`)
    if (rest < 16) fail('bad-extension', `${rest} trailing bytes, an extension field is 16+`)
    const fieldLength = view.getUint16(at + 2)
    if (fieldLength < 16 || fieldLength % 4 !== 0 || fieldLength > rest)
      fail('bad-extension', `extension field length ${fieldLength} with ${rest} bytes left`)
    extensions.push({ type: view.getUint16(at), length: fieldLength })
    at += fieldLength
  }

  return {
    leap: (first >> 6) as LeapIndicator,
    version,
    mode: mode as NtpMode,
    stratum,
    poll,
    precision,
    rootDelay: shortToSeconds(view.getUint32(4)),
    rootDispersion: shortToSeconds(view.getUint32(8)),
    referenceId: view.getUint32(12),
    referenceTimestamp: view.getBigUint64(16),
    originTimestamp: view.getBigUint64(24),
    receiveTimestamp: view.getBigUint64(32),
    transmitTimestamp: view.getBigUint64(40),
    extensions,
    ...(mac ? { mac } : {}),
  }
}

/** Writes the 48-byte header into `buf` (a new buffer by default) and returns it. */
export function encodeNtp(p: NtpHeader, buf: Buffer = Buffer.alloc(NTP_HEADER_BYTES)): Buffer {
  buf[0] = (p.leap << 6) | (p.version << 3) | p.mode
  buf[1] = p.stratum
  buf.writeInt8(p.poll, 2)
  buf.writeInt8(p.precision, 3)
  buf.writeUInt32BE(Math.min(0xffffffff, Math.round(p.rootDelay * 65536)), 4)
  buf.writeUInt32BE(Math.min(0xffffffff, Math.round(p.rootDispersion * 65536)), 8)
  buf.writeUInt32BE(p.referenceId >>> 0, 12)
  buf.writeBigUInt64BE(p.referenceTimestamp, 16)
  buf.writeBigUInt64BE(p.originTimestamp, 24)
  buf.writeBigUInt64BE(p.receiveTimestamp, 32)
  buf.writeBigUInt64BE(p.transmitTimestamp, 40)
  return buf
}

const isPrintable = (code: number): boolean => code >= 0x20 && code < 0x7f

/**
 * The reference id in words: ASCII for stratum 0 (a kiss code) and 1 (a source such as GPS),
 * an IPv4 address (or an IPv6 address's hash) above.
 */
export function refidToString(stratum: number, refid: number): string {
  const bytes = [refid >>> 24, (refid >>> 16) & 255, (refid >>> 8) & 255, refid & 255]
  const text = bytes.filter((b) => b !== 0)
  if (stratum <= 1 && text.length > 0 && text.every(isPrintable))
    return String.fromCharCode(...text)
  return bytes.join('.')
}

/** Up to four ASCII characters as a reference id ("GPS" → 0x47505300). */
export function refidFromAscii(text: string): number {
  let id = 0
  for (let i = 0; i < 4; i++) id = id * 256 + (i < text.length ? text.charCodeAt(i) & 0x7f : 0)
  return id >>> 0
}

const ipv4Number = (address: string): number =>
  address.split('.').reduce((id, part) => id * 256 + Number(part), 0) >>> 0

/** The 16 bytes of an IPv6 address (with :: and an embedded IPv4 tail expanded). */
function ipv6Bytes(address: string): Buffer {
  const bytes = Buffer.alloc(16)
  let text = address.split('%')[0]
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail) {
    const v4 = ipv4Number(tail[1])
    text = `${text.slice(0, tail.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`
  }
  const [head, rest] = text.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = rest === undefined || rest === '' ? [] : rest.split(':')
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  groups.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), 2 * i))
  return bytes
}

/** A server's address as a reference id: IPv4 as is, IPv6 as the first 4 bytes of its MD5. */
export function refidFromAddress(address: string): number {
  if (isIPv4(address)) return ipv4Number(address)
  return createHash('md5').update(ipv6Bytes(address)).digest().readUInt32BE(0)
}

/** The kiss code of a kiss-o'-death packet (a reply with stratum 0), else undefined. */
export function kissCode(p: NtpPacket): string | undefined {
  if (p.stratum !== 0 || (p.mode !== NTP_MODES.server && p.mode !== NTP_MODES.symmetricPassive))
    return undefined
  return refidToString(0, p.referenceId)
}

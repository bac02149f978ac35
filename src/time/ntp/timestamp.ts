// NTP's time formats (RFC 5905 §6): the 64-bit timestamp (32-bit seconds since 1900 plus a
// 32-bit fraction; the era, 2^32 s ≈ 136 years, is implicit), the 32-bit short format (16.16
// seconds, for root delay and dispersion), and conversions to and from Unix nanoseconds.
// Timestamps are bigints holding the raw 64 bits; differences are taken modulo 2^64, so they
// stay right across an era boundary (2036-02-07).

/** Seconds from 1900-01-01 (NTP's prime epoch) to 1970-01-01 (Unix epoch). */
export const NTP_UNIX_OFFSET = 2_208_988_800

const NS = 1_000_000_000n
const ERA_NS = (1n << 32n) * NS
const OFFSET_NS = BigInt(NTP_UNIX_OFFSET) * NS
const TWO_32 = 4294967296

/** The NTP era holding a Unix time in ns: 0 until 2036-02-07T06:28:16Z, then 1. */
export function ntpEra(unixNs: bigint): number {
  const sinceNtpEpoch = unixNs + OFFSET_NS
  return Number((sinceNtpEpoch - floorMod(sinceNtpEpoch, ERA_NS)) / ERA_NS)
}

function floorMod(a: bigint, m: bigint): bigint {
  const r = a % m
  return r < 0n ? r + m : r
}

/** A Unix time in ns as a 64-bit NTP timestamp (the era is dropped, as on the wire). */
export function unixNsToNtp(unixNs: bigint): bigint {
  const inEra = floorMod(unixNs + OFFSET_NS, ERA_NS)
  const seconds = inEra / NS
  const fraction = ((inEra % NS) << 32n) / NS
  return (seconds << 32n) | fraction
}

/**
 * A 64-bit NTP timestamp as Unix ns, in the era that puts it nearest to `pivotNs` (the local
 * clock): right while the local clock is within 68 years of the truth.
 */
export function ntpToUnixNs(timestamp: bigint, pivotNs: bigint): bigint {
  const seconds = timestamp >> 32n
  const fraction = timestamp & 0xffffffffn
  const inEra = seconds * NS + ((fraction * NS + (1n << 31n)) >> 32n) - OFFSET_NS
  const eras = (pivotNs - inEra + ERA_NS / 2n) / ERA_NS
  const nearest = inEra + eras * ERA_NS
  // BigInt division truncates toward zero; fix up the rounding for pivots before inEra.
  if (nearest - pivotNs > ERA_NS / 2n) return nearest - ERA_NS
  if (pivotNs - nearest > ERA_NS / 2n) return nearest + ERA_NS
  return nearest
}

/** a − b in seconds for two 64-bit timestamps, taken modulo 2^64 (era-safe within ±68 years). */
export function ntpDiffSeconds(a: bigint, b: bigint): number {
  return Number(BigInt.asIntN(64, a - b)) / TWO_32
}

/** Writes seconds + nanoseconds since the Unix epoch as an NTP timestamp at `offset`. */
export function writeNtpTimestamp(buf: Buffer, offset: number, sec: number, nsec: number): void {
  buf.writeUInt32BE((sec + NTP_UNIX_OFFSET) % TWO_32, offset)
  buf.writeUInt32BE(Math.floor(nsec * 4.294967296), offset + 4)
}

/** A 32-bit NTP short (16.16 unsigned fixed point) as seconds. */
export function shortToSeconds(short: number): number {
  return short / 65536
}

/** Seconds as an NTP short, rounded and clamped to its range [0, 65536). */
export function secondsToShort(seconds: number): number {
  if (!(seconds > 0)) return 0
  return Math.min(0xffffffff, Math.round(seconds * 65536))
}

/** ISO 8601 with nanoseconds for a Unix time in ns. */
export function isoNs(unixNs: bigint): string {
  const fraction = floorMod(unixNs, NS)
  const seconds = Number((unixNs - fraction) / NS)
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction.toString().padStart(9, '0')}Z`
}

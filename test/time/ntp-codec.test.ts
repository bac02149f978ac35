// The NTP codec: time formats across the 2036 era boundary, a real chrony request decoded,
// encode/decode round trips, every field's validation with its error code, extension fields
// and MACs skipped safely, reference ids, and the client's reply checks and arithmetic.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeNtp,
  encodeNtp,
  kissCode,
  NtpDecodeError,
  refidFromAddress,
  refidFromAscii,
  refidToString,
  type NtpHeader,
} from '../../src/time/ntp/codec'
import { checkReply, KissOfDeathError, measure, NtpReplyError } from '../../src/time/ntp/reply'
import {
  isoNs,
  ntpDiffSeconds,
  ntpEra,
  ntpToUnixNs,
  secondsToShort,
  shortToSeconds,
  unixNsToNtp,
} from '../../src/time/ntp/timestamp'

const S = 1_000_000_000n
/** 2036-02-07T06:28:16Z: NTP era 1 begins. */
const ERA1_UNIX = 2_085_978_496n

describe('NTP time formats', () => {
  it('puts 1900, 1970 and 2036 where RFC 5905 says', () => {
    expect(unixNsToNtp(-2_208_988_800n * S)).toBe(0n)
    expect(unixNsToNtp(0n)).toBe(2_208_988_800n << 32n)
    expect(unixNsToNtp(ERA1_UNIX * S)).toBe(0n)
    expect(ntpEra(ERA1_UNIX * S - 1n)).toBe(0)
    expect(ntpEra(ERA1_UNIX * S)).toBe(1)
  })

  it('resolves the era from a pivot: a timestamp just after 2036 read in 2035 lands in 2036', () => {
    const after = (ERA1_UNIX + 10n) * S
    const pivot = (ERA1_UNIX - 86_400n * 300n) * S
    expect(ntpToUnixNs(unixNsToNtp(after), pivot)).toBe(after)
    expect(ntpToUnixNs(unixNsToNtp(pivot), after)).toBe(pivot)
  })

  it('round-trips Unix ns within a nanosecond for any time within 68 years of the pivot', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 4_000_000_000n * S }),
        fc.bigInt({ min: -2_000_000_000n * S, max: 2_000_000_000n * S }),
        (t, shift) => {
          const back = ntpToUnixNs(unixNsToNtp(t), t + shift)
          expect(back - t >= -1n && back - t <= 1n).toBe(true)
        },
      ),
    )
  })

  it('takes differences modulo 2^64, so they stay right across the era boundary', () => {
    const before = unixNsToNtp(ERA1_UNIX * S - 500_000_000n)
    const after = unixNsToNtp(ERA1_UNIX * S + 250_000_000n)
    expect(ntpDiffSeconds(after, before)).toBeCloseTo(0.75, 9)
    expect(ntpDiffSeconds(before, after)).toBeCloseTo(-0.75, 9)
  })

  it('converts the 16.16 short format and prints ISO with nanoseconds', () => {
    expect(shortToSeconds(0x00018000)).toBe(1.5)
    expect(secondsToShort(1.5)).toBe(0x00018000)
    expect(secondsToShort(-1)).toBe(0)
    expect(secondsToShort(1e9)).toBe(0xffffffff)
    expect(isoNs(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123456789Z')
    expect(isoNs(-1n)).toBe('1969-12-31T23:59:59.999999999Z')
  })
})

/** A request exactly as chronyd -Q 4.3 sent it (captured on loopback). */
const CHRONY_REQUEST = Buffer.from(
  '230006200000000000000000000000000000000000000000000000000000000000000000000000005a4a864ceff1db7c',
  'hex',
)

const header = (over: Partial<NtpHeader> = {}): NtpHeader => ({
  leap: 0,
  version: 4,
  mode: 4,
  stratum: 2,
  poll: 6,
  precision: -23,
  rootDelay: 0.015625,
  rootDispersion: 0.0078125,
  referenceId: 0x7f000001,
  referenceTimestamp: 0xe9b5f0a100000000n,
  originTimestamp: 0x1122334455667788n,
  receiveTimestamp: 0xe9b5f0a180000000n,
  transmitTimestamp: 0xe9b5f0a180001000n,
  ...over,
})

const codeOf = (bytes: Uint8Array): string => {
  try {
    decodeNtp(bytes)
    return 'ok'
  } catch (err) {
    expect(err).toBeInstanceOf(NtpDecodeError)
    return (err as NtpDecodeError).code
  }
}

describe('decodeNtp', () => {
  it("decodes chrony's client request: v4, mode 3, poll 6, precision 32 (not given)", () => {
    const p = decodeNtp(CHRONY_REQUEST)
    expect(p).toMatchObject({ leap: 0, version: 4, mode: 3, stratum: 0, poll: 6, precision: 32 })
    expect(p.transmitTimestamp).toBe(0x5a4a864ceff1db7cn)
    expect(p.extensions).toEqual([])
    expect(p.mac).toBeUndefined()
  })

  it('round-trips every valid header through encode and decode', () => {
    fc.assert(
      fc.property(
        fc.record({
          leap: fc.constantFrom(0, 1, 2, 3),
          version: fc.integer({ min: 1, max: 4 }),
          mode: fc.integer({ min: 1, max: 5 }),
          stratum: fc.integer({ min: 0, max: 16 }),
          poll: fc.integer({ min: -7, max: 24 }),
          precision: fc.integer({ min: -32, max: 32 }),
          rootDelay: fc.integer({ min: 0, max: 0xffffffff }).map((x) => x / 65536),
          rootDispersion: fc.integer({ min: 0, max: 0xffffffff }).map((x) => x / 65536),
          referenceId: fc.integer({ min: 0, max: 0xffffffff }),
          referenceTimestamp: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          originTimestamp: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          receiveTimestamp: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          transmitTimestamp: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        }),
        (h) => {
          const bytes = encodeNtp(h as NtpHeader)
          const back = decodeNtp(bytes)
          expect({ ...back, extensions: undefined }).toEqual({ ...h, extensions: undefined })
          expect(encodeNtp(back)).toEqual(bytes)
        },
      ),
    )
  })

  it('rejects each bad field with its own code', () => {
    const good = encodeNtp(header())
    const patched = (offset: number, value: number) => {
      const b = Buffer.from(good)
      b[offset] = value
      return b
    }
    expect(codeOf(good.subarray(0, 47))).toBe('truncated')
    expect(codeOf(Buffer.alloc(0))).toBe('truncated')
    expect(codeOf(Buffer.concat([good, Buffer.alloc(2048)]))).toBe('too-long')
    expect(codeOf(patched(0, (0 << 3) | 4))).toBe('bad-version')
    expect(codeOf(patched(0, (5 << 3) | 4))).toBe('bad-version')
    expect(codeOf(patched(0, (4 << 3) | 0))).toBe('bad-mode')
    expect(codeOf(patched(0, (4 << 3) | 6))).toBe('bad-mode')
    expect(codeOf(patched(0, (4 << 3) | 7))).toBe('bad-mode')
    expect(codeOf(patched(1, 17))).toBe('bad-stratum')
    expect(codeOf(patched(2, 25))).toBe('bad-poll')
    expect(codeOf(patched(2, 0xf8))).toBe('bad-poll')
    expect(codeOf(patched(3, 33))).toBe('bad-precision')
    expect(codeOf(patched(3, 0xdf))).toBe('bad-precision')
  })

  it('skips extension fields safely and recognises a trailing MAC', () => {
    const ext = (type: number, length: number) => {
      const b = Buffer.alloc(length)
      b.writeUInt16BE(type, 0)
      b.writeUInt16BE(length, 2)
      return b
    }
    const base = encodeNtp(header())
    const two = decodeNtp(Buffer.concat([base, ext(0x0104, 16), ext(0x0204, 36)]))
    expect(two.extensions).toEqual([
      { type: 0x0104, length: 16 },
      { type: 0x0204, length: 36 },
    ])
    const mac = Buffer.alloc(20)
    mac.writeUInt32BE(42, 0)
    const withMac = decodeNtp(Buffer.concat([base, ext(0x0104, 28), mac]))
    expect(withMac.extensions).toHaveLength(1)
    expect(withMac.mac).toEqual({ keyId: 42, length: 20 })
    expect(decodeNtp(Buffer.concat([base, Buffer.alloc(24)])).mac?.length).toBe(24)
    expect(decodeNtp(Buffer.concat([base, Buffer.alloc(4)])).mac?.length).toBe(4)
    // Malformed: too short, a length that is not a multiple of 4, one that runs past the end,
    // a zero length (which would loop forever if trusted), and extension data in NTPv3.
    expect(codeOf(Buffer.concat([base, Buffer.alloc(8)]))).toBe('bad-extension')
    expect(codeOf(Buffer.concat([base, ext(1, 18), Buffer.alloc(10)]))).toBe('bad-extension')
    const overrun = ext(1, 16)
    overrun.writeUInt16BE(64, 2)
    expect(codeOf(Buffer.concat([base, overrun]))).toBe('bad-extension')
    const zero = ext(1, 16)
    zero.writeUInt16BE(0, 2)
    expect(codeOf(Buffer.concat([base, zero]))).toBe('bad-extension')
    expect(codeOf(Buffer.concat([encodeNtp(header({ version: 3 })), ext(1, 16)]))).toBe(
      'bad-extension',
    )
    expect(
      decodeNtp(Buffer.concat([encodeNtp(header({ version: 3 })), Buffer.alloc(20)])).mac?.length,
    ).toBe(20)
  })
})

describe('reference ids and kiss codes', () => {
  it('reads ASCII for strata 0 and 1 and addresses above', () => {
    expect(refidToString(1, refidFromAscii('GPS'))).toBe('GPS')
    expect(refidToString(1, refidFromAscii('PPS'))).toBe('PPS')
    expect(refidToString(0, refidFromAscii('RATE'))).toBe('RATE')
    expect(refidToString(2, refidFromAddress('192.168.1.10'))).toBe('192.168.1.10')
    expect(refidToString(8, 0x7f7f0101)).toBe('127.127.1.1')
    // An IPv6 server's refid is the first 4 bytes of its address's MD5 (RFC 5905).
    expect(refidFromAddress('::1')).toBe(0xcf404dc8)
    expect(refidFromAddress('2001:db8::1')).toBe(0x39ab9b37)
    expect(refidFromAddress('::ffff:192.0.2.1')).toBe(0x3ad457db)
    expect(refidFromAddress('fe80::1:2:3:4')).toBe(0x616f12c0)
  })

  it('finds the kiss code of a stratum-0 server reply only', () => {
    const kod = decodeNtp(encodeNtp(header({ stratum: 0, referenceId: refidFromAscii('DENY') })))
    expect(kissCode(kod)).toBe('DENY')
    expect(kissCode(decodeNtp(encodeNtp(header())))).toBeUndefined()
    expect(kissCode(decodeNtp(CHRONY_REQUEST))).toBeUndefined()
  })
})

describe('checkReply', () => {
  const sent = 0x1122334455667788n
  const reply = (over: Partial<NtpHeader> = {}) => decodeNtp(encodeNtp(header(over)))
  const codeOfReply = (over: Partial<NtpHeader>): string => {
    try {
      checkReply(reply(over), sent)
      return 'ok'
    } catch (err) {
      expect(err).toBeInstanceOf(NtpReplyError)
      return (err as NtpReplyError).code
    }
  }

  it('accepts the reply to our request', () => {
    expect(codeOfReply({})).toBe('ok')
  })

  it('rejects stale or spoofed replies, checking the origin before any kiss', () => {
    expect(codeOfReply({ originTimestamp: sent + 1n })).toBe('origin-mismatch')
    expect(
      codeOfReply({ originTimestamp: sent + 1n, stratum: 0, referenceId: refidFromAscii('DENY') }),
    ).toBe('origin-mismatch')
  })

  it("turns a kiss-o'-death into KissOfDeathError: DENY and RSTR stop, RATE slows down", () => {
    for (const [kiss, stop] of [
      ['DENY', true],
      ['RSTR', true],
      ['RATE', false],
    ] as const) {
      try {
        checkReply(reply({ stratum: 0, referenceId: refidFromAscii(kiss) }), sent)
        expect.unreachable()
      } catch (err) {
        expect(err).toBeInstanceOf(KissOfDeathError)
        expect((err as KissOfDeathError).kiss).toBe(kiss)
        expect((err as KissOfDeathError).stop).toBe(stop)
      }
    }
  })

  it('rejects unsynchronized servers, other modes and impossible timestamps or distances', () => {
    expect(codeOfReply({ leap: 3 })).toBe('unsynchronized')
    expect(codeOfReply({ stratum: 16 })).toBe('unsynchronized')
    expect(codeOfReply({ mode: 3 })).toBe('not-a-reply')
    expect(codeOfReply({ transmitTimestamp: 0n })).toBe('bad-timestamps')
    expect(codeOfReply({ receiveTimestamp: 0n })).toBe('bad-timestamps')
    expect(codeOfReply({ transmitTimestamp: 0xe9b5f0a100000000n })).toBe('bad-timestamps')
    expect(codeOfReply({ rootDispersion: 16 })).toBe('bad-root-distance')
  })
})

describe('measure', () => {
  it('computes offset and delay from the four timestamps (RFC 5905 §8)', () => {
    // Server 25 ms ahead; 10 ms out, 30 ms back, server holds the request 1 ms.
    const t1 = 1_700_000_000n * S
    const t2 = t1 + 10_000_000n + 25_000_000n
    const t3 = t2 + 1_000_000n
    const t4 = t3 - 25_000_000n + 30_000_000n
    const p = decodeNtp(
      encodeNtp(
        header({
          receiveTimestamp: unixNsToNtp(t2),
          transmitTimestamp: unixNsToNtp(t3),
          precision: -20,
        }),
      ),
    )
    const m = measure(
      { name: 'x:123', address: '192.0.2.1' },
      p,
      { t1, t4, raw1: 100n, raw4: 200n },
      -23,
    )
    // θ = ((T2 − T1) + (T3 − T4)) / 2 = (35 − 5) / 2 = 15 ms: the asymmetry (20 ms) shows as 10 ms.
    expect(m.offset).toBeCloseTo(0.015, 9)
    expect(m.delay).toBeCloseTo(0.04, 9)
    expect(m.localNs).toBe((t1 + t4) / 2n)
    expect(m.referenceNs - m.localNs).toBe(15_000_000n)
    expect(m.localRawNs).toBe(150n)
    expect(m.dispersion).toBeCloseTo(2 ** -20 + 2 ** -23 + 15e-6 * 0.041, 12)
    expect(m).toMatchObject({
      stratum: 2,
      refid: '127.0.0.1',
      address: '192.0.2.1',
      server: 'x:123',
    })
  })
})

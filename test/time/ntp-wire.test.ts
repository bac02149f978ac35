// ClockLab's NTP client and server against each other and against hostile fakes on loopback:
// the server's answers (stratum, refid and leap from its reference; origin echoed;
// nanosecond timestamps), the client's defences (spoofed, stale and malformed replies
// ignored; kiss-o'-death obeyed), the continuous client's filter and selection throwing out
// a falseticker, and the stratum a server takes from its best source.
import { createSocket, type Socket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { BestSource, referenceFrom } from '../../src/time/best-source'
import { Clocks } from '../../src/time/clocks'
import { TimeInputError } from '../../src/time/errors'
import { loadPlatformTime, type PlatformTime } from '../../src/time/native/index'
import {
  NtpAssociation,
  NtpClientSource,
  parseServerAddress,
  queryNtp,
  type RoundReport,
} from '../../src/time/ntp/client'
import { encodeNtp, refidFromAscii, type NtpHeader } from '../../src/time/ntp/codec'
import { KissOfDeathError, NtpReplyError } from '../../src/time/ntp/reply'
import { NtpServer, UNSYNCHRONIZED, type ServerReference } from '../../src/time/ntp/server'
import { ntpToUnixNs, unixNsToNtp } from '../../src/time/ntp/timestamp'
import { SampleFeed, type TimeSample, type TimeSource } from '../../src/time/source'

const clocks = new Clocks(loadPlatformTime('linux', {}))

/**
 * This machine's clocks with the wall clock moved by `seconds`: a server that is wrong. The
 * kernel's socket timestamps are on the real wall clock, so this platform has none.
 */
function shifted(seconds: number): Clocks {
  const base: PlatformTime = loadPlatformTime('linux', {})
  const realtime = base.clocks.realtime
  if (!realtime.ok) throw new Error(realtime.reason)
  const none = { ok: false, reason: "a shifted wall clock is not the kernel's" } as const
  return new Clocks({
    ...base,
    socketRxTimestamp: none,
    socketSend: none,
    socketTxTimestamps: none,
    clocks: {
      ...base.clocks,
      realtime: {
        ok: true,
        value: {
          ...realtime.value,
          read: (out) => (realtime.value.read(out), (out.sec += seconds)),
        },
      },
    },
  })
}

const STRATUM_3: ServerReference = {
  leap: 0,
  stratum: 3,
  referenceId: 0xc0000201,
  referenceTimestamp: unixNsToNtp(1_700_000_000_000_000_000n),
  rootDelay: 0.002,
  rootDispersion: 0.001,
}

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

async function server(
  reference: ServerReference = STRATUM_3,
  c: Clocks = clocks,
): Promise<NtpServer> {
  const s = await NtpServer.start({ port: 0, reference: () => reference, clocks: c })
  cleanup.push(() => s.close())
  return s
}

/** A UDP "server" whose answers `respond` writes, for spoofing and kiss-o'-death tests. */
async function fake(
  respond: (request: Buffer, reply: (b: Buffer) => void) => void,
): Promise<number> {
  const socket: Socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  socket.on('message', (msg, rinfo) =>
    respond(msg, (b) => socket.send(b, rinfo.port, rinfo.address)),
  )
  cleanup.push(() => new Promise<void>((resolve) => socket.close(() => resolve())))
  return socket.address().port
}

/** A correct server reply to `request`, with fields overridden. */
function answer(request: Buffer, over: Partial<NtpHeader> = {}): Buffer {
  const now = unixNsToNtp(clocks.readNs('realtime'))
  return encodeNtp({
    ...STRATUM_3,
    version: 4,
    mode: 4,
    poll: 6,
    precision: -20,
    originTimestamp: request.readBigUInt64BE(40),
    receiveTimestamp: now,
    transmitTimestamp: now,
    ...over,
  })
}

describe('NtpServer answering queryNtp', () => {
  it('answers with its reference, echoes origin/version/poll, and is right within δ/2 + ε', async () => {
    const s = await server()
    const m = await queryNtp({ host: '127.0.0.1', port: s.address().port }, { clocks })
    expect(m).toMatchObject({ stratum: 3, refid: '192.0.2.1', leap: 0, version: 4, poll: 6 })
    expect(m.rootDelay).toBeCloseTo(0.002, 4)
    expect(m.rootDispersion).toBeCloseTo(0.001, 4)
    expect(m.precision).toBe(clocks.precisionExponent())
    expect(m.t3 >= m.t2).toBe(true)
    // Same clock on both ends: the true offset is 0, so θ must lie within its error bound.
    expect(Math.abs(m.offset)).toBeLessThanOrEqual(m.delay / 2 + m.dispersion)
    expect(s.stats()).toEqual({ received: 1, answered: 1, dropped: {} })
  })

  it('timestamps with nanoseconds, not whole milliseconds', async () => {
    const s = await server()
    const fractions: bigint[] = []
    for (let i = 0; i < 5; i++) {
      const m = await queryNtp({ host: '127.0.0.1', port: s.address().port }, { clocks })
      fractions.push(m.t2 % 1_000_000n, m.t3 % 1_000_000n)
    }
    expect(fractions.some((f) => f !== 0n)).toBe(true)
  })

  it('answers NTPv3 requests in NTPv3', async () => {
    const s = await server()
    const m = await queryNtp({ host: '127.0.0.1', port: s.address().port }, { clocks, version: 3 })
    expect(m.version).toBe(3)
  })

  it('says unsynchronized (leap 3, stratum 16) without a source, and clients refuse it', async () => {
    const s = await NtpServer.start({ port: 0, clocks })
    cleanup.push(() => s.close())
    const err = await queryNtp({ host: '127.0.0.1', port: s.address().port }, { clocks }).catch(
      (e) => e,
    )
    expect(err).toBeInstanceOf(NtpReplyError)
    expect(err.code).toBe('unsynchronized')
  })

  it('drops garbage, truncated packets and non-client modes, counting each, and keeps answering', async () => {
    const s = await server()
    const port = s.address().port
    const sock = createSocket('udp4')
    cleanup.push(() => sock.close())
    const send = (b: Buffer) => new Promise((resolve) => sock.send(b, port, '127.0.0.1', resolve))
    await send(Buffer.from('hello'))
    await send(Buffer.alloc(48, 0xff))
    await send(
      encodeNtp({
        ...STRATUM_3,
        version: 4,
        mode: 4,
        poll: 6,
        precision: -20,
        originTimestamp: 0n,
        receiveTimestamp: 0n,
        transmitTimestamp: 1n,
      }),
    )
    const m = await queryNtp({ host: '127.0.0.1', port }, { clocks })
    expect(m.stratum).toBe(3)
    expect(s.stats().dropped).toEqual({ truncated: 1, 'bad-version': 1, 'not-a-request': 1 })
    expect(s.stats().answered).toBe(1)
  })
})

describe("the client's defences", () => {
  it('ignores a spoofed origin, a malformed datagram and a stray request, then takes the real reply', async () => {
    const port = await fake((req, reply) => {
      reply(answer(req, { originTimestamp: req.readBigUInt64BE(40) ^ 1n }))
      reply(Buffer.from('garbage'))
      reply(answer(req, { mode: 3 }))
      reply(answer(req))
    })
    const a = await NtpAssociation.open({ host: '127.0.0.1', port }, { clocks })
    cleanup.push(() => a.close())
    const m = await a.query()
    expect(m.stratum).toBe(3)
    expect(a.errors.toJSON()).toEqual({ 'not-a-reply': 1, 'origin-mismatch': 1, truncated: 1 })
  })

  it('sends an unpredictable transmit timestamp: the origin cannot be guessed', async () => {
    const seen: bigint[] = []
    const port = await fake((req, reply) => {
      seen.push(req.readBigUInt64BE(40))
      reply(answer(req))
    })
    for (let i = 0; i < 4; i++) await queryNtp({ host: '127.0.0.1', port }, { clocks })
    expect(new Set(seen.map((t) => t & 0xffffffffn)).size).toBe(4)
  })

  it('sends each request from a fresh source port (RFC 9109): a reply to the old one is not taken', async () => {
    const ports: number[] = []
    const socket: Socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    cleanup.push(() => new Promise<void>((resolve) => socket.close(() => resolve())))
    socket.on('message', (req, rinfo) => {
      ports.push(rinfo.port)
      // From the second request on, a reply with the right origin but stratum 9 goes first
      // to the port the previous request came from; the real one follows 20 ms later.
      if (ports.length > 1) socket.send(answer(req, { stratum: 9 }), ports.at(-2)!, rinfo.address)
      setTimeout(
        () => socket.send(answer(req), rinfo.port, rinfo.address),
        ports.length > 1 ? 20 : 0,
      )
    })
    const a = await NtpAssociation.open(
      { host: '127.0.0.1', port: socket.address().port },
      { clocks },
    )
    cleanup.push(() => a.close())
    for (let i = 0; i < 3; i++) expect((await a.query()).stratum).toBe(3)
    expect(new Set(ports).size).toBe(3)
    expect(a.errors.toJSON()).toEqual({})
  })

  it("obeys a kiss-o'-death addressed to its request, and ignores a spoofed one", async () => {
    const port = await fake((req, reply) => {
      reply(answer(req, { stratum: 0, referenceId: refidFromAscii('DENY'), originTimestamp: 5n }))
      reply(answer(req, { stratum: 0, referenceId: refidFromAscii('RATE') }))
    })
    const err = await queryNtp({ host: '127.0.0.1', port }, { clocks }).catch((e) => e)
    expect(err).toBeInstanceOf(KissOfDeathError)
    expect(err.kiss).toBe('RATE')
  })

  it('gives up with no-reply when nothing answers', async () => {
    const port = await fake(() => {})
    const err = await queryNtp({ host: '127.0.0.1', port }, { clocks, timeoutMs: 150 }).catch(
      (e) => e,
    )
    expect(err).toBeInstanceOf(NtpReplyError)
    expect(err.code).toBe('no-reply')
  })

  it('parses HOST, HOST:PORT and [IPv6]:PORT, and rejects the rest', () => {
    expect(parseServerAddress('pool.ntp.org')).toEqual({ host: 'pool.ntp.org', port: 123 })
    expect(parseServerAddress('127.0.0.1:11123')).toEqual({ host: '127.0.0.1', port: 11123 })
    expect(parseServerAddress('[::1]:5')).toEqual({ host: '::1', port: 5 })
    expect(parseServerAddress('::1')).toEqual({ host: '::1', port: 123 })
    for (const bad of ['', 'host:0', 'host:99999', 'host:x', '[::1'])
      expect(() => parseServerAddress(bad), bad).toThrow(TimeInputError)
  })
})

describe('the continuous client: clock filter and selection over several servers', () => {
  it('finds the falseticker among four servers and combines the truechimers', async () => {
    const honest = await Promise.all([server(), server(), server()])
    const liar = await server(STRATUM_3, shifted(1))
    const rounds: RoundReport[] = []
    const source = await NtpClientSource.start(
      [...honest, liar].map((s) => ({ host: '127.0.0.1', port: s.address().port })),
      { clocks, intervalMs: 20, rounds: 6, onRound: (r) => rounds.push(r) },
    )
    cleanup.push(() => source.close())
    const samples: TimeSample[] = []
    for await (const s of source.samples()) samples.push(s)
    const last = rounds.at(-1)!
    expect(last.peers.map((p) => p.truechimer)).toEqual([true, true, true, false])
    expect(last.peers[3].sample!.offset).toBeCloseTo(1, 2)
    expect(last.peers.filter((p) => p.systemPeer)).toHaveLength(1)
    // The truechimers' offsets lie within their root distances of 0, so their weighted mean does.
    const widest = Math.max(...last.peers.slice(0, 3).map((p) => p.distanceMs!)) / 1e3
    expect(Math.abs(last.combined!.offset)).toBeLessThanOrEqual(widest)
    expect(samples).toHaveLength(6)
    expect(samples[0]).toMatchObject({ stratum: 3, address: '127.0.0.1' })
    expect(source.status()).toMatchObject({ state: 'closed', samples: 6 })
  })

  it('stops polling a server that says DENY, and goes on with the others', async () => {
    const good = await server()
    let denied = 0
    const port = await fake((req, reply) => {
      denied++
      reply(answer(req, { stratum: 0, referenceId: refidFromAscii('DENY') }))
    })
    const rounds: RoundReport[] = []
    const source = await NtpClientSource.start(
      [
        { host: '127.0.0.1', port: good.address().port },
        { host: '127.0.0.1', port },
      ],
      { clocks, intervalMs: 20, rounds: 4, onRound: (r) => rounds.push(r) },
    )
    cleanup.push(() => source.close())
    await source.finished()
    expect(denied).toBe(1)
    expect(rounds.at(-1)!.peers[1].stopped).toBe(true)
    expect(rounds.at(-1)!.combined?.stratum).toBe(3)
    expect(source.status().errors).toEqual({ 'kiss-of-death': 1 })
  })
})

describe("a server's stratum and reference follow its best source", () => {
  const sample = (over: Partial<TimeSample>): TimeSample => ({
    source: 'test',
    referenceNs: 1_700_000_000_000_000_000n,
    localNs: 1_700_000_000_000_000_000n,
    offset: 0.0002,
    delay: 0.001,
    dispersion: 0.0001,
    rootDelay: 0.004,
    rootDispersion: 0.002,
    stratum: 2,
    refid: '10.0.0.1',
    leap: 0,
    address: '192.0.2.7',
    ...over,
  })

  it('GPS (stratum 0) makes it stratum 1 with refid GPS; NTP stratum s makes it s + 1', () => {
    const gps = referenceFrom(
      sample({
        stratum: 0,
        refid: 'PPS',
        address: undefined,
        rootDelay: 0,
        rootDispersion: 0,
        delay: 0,
      }),
      0,
    )
    expect(gps).toMatchObject({
      leap: 0,
      stratum: 1,
      referenceId: refidFromAscii('PPS'),
      rootDelay: 0,
    })
    const ntp = referenceFrom(sample({}), 2)
    expect(ntp.stratum).toBe(3)
    expect(ntp.referenceId).toBe(0xc0000207)
    expect(ntp.rootDelay).toBeCloseTo(0.005, 12)
    expect(ntp.rootDispersion).toBeCloseTo(0.002 + 0.0001 + 0.0002 + 15e-6 * 2, 12)
    expect(ntpToUnixNs(ntp.referenceTimestamp, 1_700_000_000_000_000_000n)).toBe(
      1_700_000_000_000_000_000n,
    )
  })

  it('an unsynchronized or too-deep source leaves it unsynchronized', () => {
    expect(referenceFrom(sample({ leap: 3 }), 0)).toBe(UNSYNCHRONIZED)
    expect(referenceFrom(sample({ stratum: 15 }), 0)).toBe(UNSYNCHRONIZED)
  })

  it('picks the lowest stratum among fresh sources, and forgets stale ones', async () => {
    const feeds = [new SampleFeed(), new SampleFeed()]
    const sources: TimeSource[] = feeds.map((feed, i) => ({
      id: `s${i}`,
      samples: () => feed.iterate(),
      status: () => ({ id: `s${i}`, state: 'running', samples: 0, errors: {} }),
      close: async () => feed.close(),
    }))
    const best = new BestSource(sources, { clocks, maxAgeSeconds: 0.2 })
    expect(best.reference()).toBe(UNSYNCHRONIZED)
    feeds[0].push(sample({ stratum: 4 }))
    feeds[1].push(sample({ stratum: 0, refid: 'GPS', address: undefined }))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(best.reference().stratum).toBe(1)
    expect(best.current()!.source.id).toBe('s1')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(best.reference()).toBe(UNSYNCHRONIZED)
    for (const f of feeds) f.close()
  })
})

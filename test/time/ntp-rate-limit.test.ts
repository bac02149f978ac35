// The server's per-client rate limit (opt-in, like chrony's ratelimit): the token bucket on
// its own with made-up times (burst, RATE kiss at most once per interval, refill, a bounded
// client table forgetting the least recent), then on the wire: a burst from one client gets a
// RATE kiss-o'-death (stratum 0, origin echoing its request, no time in it) and then nothing,
// while another address is still served; many source addresses (127.0.x.y) leave the table at
// its bound; and ClockLab's continuous client backs off when kissed.
import { createSocket, type Socket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { NtpClientSource, type RoundReport } from '../../src/time/ntp/client'
import { decodeNtp, refidFromAscii } from '../../src/time/ntp/codec'
import { RateLimiter } from '../../src/time/ntp/rate-limit'
import { NtpServer } from '../../src/time/ntp/server'
import { syncedReference } from './ntp-fixtures'

const REFERENCE = syncedReference(3)

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

describe('RateLimiter', () => {
  it('serves a burst, kisses once per interval, drops the rest, and refills at 1 per interval', () => {
    const l = new RateLimiter({ intervalS: 2, burst: 3 })
    const at = (ms: number) => l.check('10.0.0.1', ms)
    expect([at(0), at(1), at(2)]).toEqual(['serve', 'serve', 'serve'])
    expect(at(3)).toBe('kiss')
    expect([at(4), at(1000)]).toEqual(['drop', 'drop'])
    // 2 s after the last full token was spent, one token is back.
    expect(at(2002)).toBe('serve')
    // Out of tokens again; the last kiss was at 3 ms, more than an interval ago.
    expect(at(2010)).toBe('kiss')
    expect(at(2020)).toBe('drop')
    // Another client has its own bucket.
    expect(l.check('10.0.0.2', 2030)).toBe('serve')
    // A long silence refills up to the burst, no further.
    const after = [1, 2, 3, 4].map((i) => at(60_000 + i))
    expect(after).toEqual(['serve', 'serve', 'serve', 'kiss'])
  })

  it('holds at most maxClients and forgets the least recently heard first', () => {
    const l = new RateLimiter({ intervalS: 60, burst: 1, maxClients: 3 })
    for (const c of ['a', 'b', 'c']) expect(l.check(c, 0)).toBe('serve')
    expect(l.check('a', 1)).toBe('kiss') // a is now the most recent
    expect(l.check('d', 2)).toBe('serve') // evicts b, the least recent
    expect(l.size()).toBe(3)
    expect(l.check('a', 3)).toBe('drop') // a was kept: still limited
    expect(l.check('b', 4)).toBe('serve') // b was forgotten: a fresh bucket
    const many = Number(process.env.CLOCKLAB_RATE_CLIENTS ?? 10_000)
    console.log(`rate limiter: ${many} distinct clients through a table of 3`)
    for (let i = 0; i < many; i++) l.check(`c${i}`, 10 + i)
    expect(l.size()).toBe(3)
  })

  it('refuses nonsense settings', () => {
    expect(() => new RateLimiter({ intervalS: 0 })).toThrow(RangeError)
    expect(() => new RateLimiter({ burst: 0.5 })).toThrow(RangeError)
    expect(() => new RateLimiter({ maxClients: 0 })).toThrow(RangeError)
    expect(new RateLimiter({ intervalS: 5 }).pollExponent()).toBe(3)
  })
})

async function limitedServer(burst: number, maxClients = 64): Promise<NtpServer> {
  const s = await NtpServer.start({
    port: 0,
    reference: () => REFERENCE,
    rateLimit: { intervalS: 60, burst, maxClients },
  })
  cleanup.push(() => s.close())
  return s
}

async function clientSocket(address = '127.0.0.1'): Promise<Socket> {
  const s = createSocket('udp4')
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject)
    s.bind(0, address, () => {
      s.off('error', reject)
      resolve()
    })
  })
  cleanup.push(() => new Promise<void>((resolve) => s.close(() => resolve())))
  return s
}

/** Sends one client request with transmit timestamp `xmt`; the reply, or undefined after 150 ms. */
function ask(s: Socket, port: number, xmt: bigint): Promise<Buffer | undefined> {
  const request = Buffer.alloc(48)
  request[0] = 0x23
  request[2] = 6
  request.writeBigUInt64BE(xmt, 40)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      s.off('message', onMessage)
      resolve(undefined)
    }, 150)
    const onMessage = (msg: Buffer) => {
      clearTimeout(timer)
      s.off('message', onMessage)
      resolve(msg)
    }
    s.on('message', onMessage)
    s.send(request, port, '127.0.0.1')
  })
}

describe('NtpServer with a rate limit', () => {
  it('kisses a client past its burst with RATE, then drops it, and still serves another', async () => {
    const server = await limitedServer(3)
    const port = server.address().port
    const greedy = await clientSocket()
    const replies: (Buffer | undefined)[] = []
    for (let i = 1; i <= 6; i++)
      replies.push(await ask(greedy, port, (0xe000_0000n << 32n) + BigInt(i)))
    for (const r of replies.slice(0, 3))
      expect(decodeNtp(r!)).toMatchObject({ stratum: 3, leap: 0 })
    const kiss = decodeNtp(replies[3]!)
    expect(kiss).toMatchObject({
      mode: 4,
      stratum: 0,
      leap: 3,
      referenceId: refidFromAscii('RATE'),
    })
    expect(kiss.originTimestamp).toBe((0xe000_0000n << 32n) + 4n)
    // No time in a kiss: receive and transmit only echo the request.
    expect(kiss.transmitTimestamp).toBe(kiss.originTimestamp)
    expect(kiss.poll).toBeGreaterThanOrEqual(6)
    expect(replies.slice(4)).toEqual([undefined, undefined])
    // Another address is not affected by the greedy one.
    const polite = await clientSocket('127.0.0.2')
    expect(decodeNtp((await ask(polite, port, 7n << 32n))!).stratum).toBe(3)
    expect(server.stats()).toEqual({
      received: 7,
      answered: 4,
      dropped: { 'rate-kiss': 1, 'rate-limited': 2 },
    })
  })

  it('keeps its client table at the bound under many source addresses (127.0.x.y)', async () => {
    const bound = 8
    const server = await limitedServer(1, bound)
    const port = server.address().port
    const n = Number(process.env.CLOCKLAB_RATE_ADDRESSES ?? 40)
    console.log(`rate limit: ${n} source addresses against a table of ${bound}`)
    for (let i = 0; i < n; i++) {
      const s = await clientSocket(`127.0.${1 + (i >> 8)}.${(i & 255) + 1}`)
      expect(await ask(s, port, BigInt(i + 1) << 32n)).toBeDefined()
      expect(server.limiter!.size()).toBeLessThanOrEqual(bound)
    }
    expect(server.limiter!.size()).toBe(bound)
    expect(server.stats().answered).toBe(n)
  })

  it("ClockLab's continuous client backs off after a RATE kiss", async () => {
    const server = await limitedServer(2)
    const rounds: RoundReport[] = []
    const source = await NtpClientSource.start(
      [{ host: '127.0.0.1', port: server.address().port }],
      { intervalMs: 20, rounds: 6, timeoutMs: 150, onRound: (r) => rounds.push(r) },
    )
    cleanup.push(() => source.close())
    await source.finished()
    const said = rounds.map((r) => r.peers[0].sample?.stratum ?? r.peers[0].error)
    expect(said.slice(0, 5)).toEqual([
      3,
      3,
      "kiss-o'-death RATE from the server",
      'backing off after RATE',
      'backing off after RATE',
    ])
    // Rounds 4 and 5 sent nothing: 2 served, 1 kissed, and round 6's request dropped.
    expect(server.stats()).toEqual({
      received: 4,
      answered: 2,
      dropped: { 'rate-kiss': 1, 'rate-limited': 1 },
    })
  })
})

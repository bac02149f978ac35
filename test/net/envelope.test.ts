// The envelope: what a node accepts and, above all, what it drops and how it counts it.
// Security cases from the issue: wrong passphrase, replayed datagram, forged sender id,
// and a flood of random datagrams (CLOCKLAB_NET_FUZZ, default 100,000), all dropped.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/core/random'
import {
  MAX_BODY,
  MAX_DATAGRAM,
  Opener,
  Sealer,
  BodyTooLargeError,
  emptyDropCounts,
} from '../../src/net/envelope'
import { deriveLabKeys } from '../../src/net/keys'
import { ReplayWindow } from '../../src/net/replay-window'

const keys = deriveLabKeys('physics-101', 'correct horse battery')
const A = '00000000000000aa'
const B = '00000000000000bb'
const hello = { port: 4000, name: 'ws-1', epoch: 'deadbeef' }

describe('envelope', () => {
  it('delivers what a lab member sealed, with its sender and kind', () => {
    const opened = new Opener(keys).open(new Sealer(keys, A).seal('hello', hello))
    expect(opened).toMatchObject({ ok: true, envelope: { kind: 'hello', sender: A, body: hello } })
  })

  it('drops datagrams of a lab with the same name but another passphrase as bad-mac', () => {
    const other = deriveLabKeys('physics-101', 'wrong passphrase!')
    const opener = new Opener(keys)
    // Same lab name, other key: the lab id differs too, so it is counted as another lab.
    expect(opener.open(new Sealer(other, A).seal('hello', hello))).toEqual({
      ok: false,
      reason: 'wrong-lab',
    })
    // Even with our lab id copied in, the MAC gives it away.
    const forged = new Sealer(other, A).seal('hello', hello)
    keys.labId.copy(forged, 4)
    expect(opener.open(forged)).toEqual({ ok: false, reason: 'bad-mac' })
    expect(opener.accepted).toBe(0)
  })

  it('drops a replayed datagram, and accepts reordered fresh ones', () => {
    const sealer = new Sealer(keys, A)
    const [d1, d2, d3] = [1, 2, 3].map(() => sealer.seal('hello', hello))
    const opener = new Opener(keys)
    expect(opener.open(d2).ok).toBe(true)
    expect(opener.open(d1).ok).toBe(true)
    expect(opener.open(d2)).toEqual({ ok: false, reason: 'replayed' })
    expect(opener.open(d3).ok).toBe(true)
    expect(opener.open(d1)).toEqual({ ok: false, reason: 'replayed' })
    expect(opener.drops.replayed).toBe(2)
  })

  it('drops a datagram whose sender id was rewritten (forged sender)', () => {
    const d = new Sealer(keys, A).seal('hello', hello)
    d.write(B, 12, 'hex')
    expect(new Opener(keys).open(d)).toEqual({ ok: false, reason: 'bad-mac' })
  })

  it('drops stale datagrams, other versions and datagrams over the size bound', () => {
    let now = 1_000_000
    const sealer = new Sealer(keys, A, () => now)
    const old = sealer.seal('hello', hello)
    now += 200_000
    const opener = new Opener(keys, { wallClock: () => now })
    expect(opener.open(old)).toEqual({ ok: false, reason: 'stale' })
    const v2 = sealer.seal('hello', hello)
    v2[2] = 2
    expect(opener.open(v2)).toEqual({ ok: false, reason: 'unknown-version' })
    expect(opener.open(Buffer.alloc(MAX_DATAGRAM + 1))).toEqual({ ok: false, reason: 'oversized' })
    expect(opener.open(Buffer.from('CL'))).toEqual({ ok: false, reason: 'malformed' })
  })

  it('refuses to seal a body that would not fit one datagram', () => {
    const sealer = new Sealer(keys, A)
    const body = (n: number) => ({ ep: 'deadbeef', to: 'deadbeef', s: 0, b: 'x'.repeat(n) })
    const fits = sealer.seal('data', body(MAX_BODY - 50))
    expect(fits.length).toBeLessThanOrEqual(MAX_DATAGRAM)
    expect(() => sealer.seal('data', body(MAX_BODY))).toThrow(BodyTooLargeError)
  })

  it('drops a validly signed body that does not fit its kind as malformed', () => {
    const sealer = new Sealer(keys, A)
    const bad = sealer.seal('hello', { ...hello, port: 70_000 })
    expect(new Opener(keys).open(bad)).toEqual({ ok: false, reason: 'malformed' })
  })

  it('drops every random or mutated datagram, never throwing, and counts each one', () => {
    const runs = Number(process.env.CLOCKLAB_NET_FUZZ ?? 100_000)
    console.log(`envelope fuzz: ${runs} datagrams`)
    const rng = Rng.fromSeed(8)
    const opener = new Opener(keys)
    const valid = new Sealer(keys, A).seal('hello', hello)
    for (let k = 0; k < runs; k++) {
      let d: Buffer
      if (k % 2 === 0) {
        d = randomBytes(rng.int(MAX_DATAGRAM + 100))
        if (k % 4 === 0 && d.length > 12) {
          d.write('CL', 0, 'latin1') // get past the magic
          d[2] = 1
          keys.labId.copy(d, 4) // and past the lab id: the MAC must stop it
        }
      } else {
        d = Buffer.from(valid)
        const flips = 1 + rng.int(4)
        for (let f = 0; f < flips; f++) d[rng.int(d.length)] ^= 1 + rng.int(255)
      }
      expect(opener.open(d).ok).toBe(false)
    }
    const total = Object.values(opener.drops).reduce((a, b) => a + b, 0)
    expect(total).toBe(runs)
    expect(opener.accepted).toBe(0)
    expect(opener.drops['bad-mac']).toBeGreaterThan(0)
    expect(Object.keys(opener.drops)).toEqual(Object.keys(emptyDropCounts()))
  })
})

describe('replay window', () => {
  it('accepts each number once, within the window, in any order', () => {
    const w = new ReplayWindow(64)
    expect(w.accept(100)).toBe(true)
    expect(w.accept(36)).toBe(false) // 64 below the top: left of the window
    expect(w.accept(37)).toBe(true) // 63 below: the oldest it still keeps
    expect(w.accept(40)).toBe(true)
    expect(w.accept(40)).toBe(false)
    expect(w.accept(200)).toBe(true)
    expect(w.accept(150)).toBe(true)
    expect(w.accept(136)).toBe(false) // left of the window now
    expect(w.accept(199)).toBe(true)
    expect(w.accept(199)).toBe(false)
  })
})

// The event queue's contract: items come out by time, and items due at the same
// time come out in the order they were pushed (what makes a run reproducible).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { EventQueue } from '../../src/sim/queue'

interface Entry {
  time: number
  order: number
  label: number
}

const entry = (time: number, label: number): Entry => ({ time, order: 0, label })

function drain(q: EventQueue<Entry>): Entry[] {
  const out: Entry[] = []
  for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e)
  return out
}

describe('EventQueue', () => {
  it('is empty at first: pop gives undefined, peekTime gives Infinity', () => {
    const q = new EventQueue<Entry>()
    expect(q.size).toBe(0)
    expect(q.pop()).toBeUndefined()
    expect(q.peekTime()).toBe(Infinity)
  })

  it('pops by time, whatever the push order', () => {
    const q = new EventQueue<Entry>()
    const times = [5, 1, 9, 3, 7, 0, 8, 2, 6, 4]
    times.forEach((t, k) => q.push(entry(t, k)))
    expect(q.size).toBe(times.length)
    expect(q.peekTime()).toBe(0)
    expect(drain(q).map((e) => e.time)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(q.size).toBe(0)
  })

  it('pops items due at the same time in push order', () => {
    const q = new EventQueue<Entry>()
    // Interleave two instants so the heap has to move equal keys around.
    for (let k = 0; k < 50; k++) q.push(entry(k % 2 === 0 ? 10 : 3, k))
    const out = drain(q)
    const at3 = out.filter((e) => e.time === 3).map((e) => e.label)
    const at10 = out.filter((e) => e.time === 10).map((e) => e.label)
    expect(out.slice(0, 25).every((e) => e.time === 3)).toBe(true)
    expect(at3).toEqual([...at3].sort((a, b) => a - b))
    expect(at10).toEqual([...at10].sort((a, b) => a - b))
  })

  it('matches a stable-sorted reference under any interleaving of pushes and pops', () => {
    // Ops: a number is a push at that time (few distinct times, so ties are common); null is a pop.
    const op = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(null))
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const q = new EventQueue<Entry>()
        let reference: Entry[] = [] // kept sorted by (time, push number)
        let pushed = 0
        const check = (got: Entry | undefined) => {
          const want = reference.shift()
          expect(got?.label).toBe(want?.label)
        }
        for (const o of ops) {
          if (o === null) check(q.pop())
          else {
            const e = entry(o, pushed++)
            q.push(e)
            // Insert after every entry with time <= o: equal times keep push order.
            const at = reference.findIndex((r) => r.time > o)
            reference =
              at < 0 ? [...reference, e] : [...reference.slice(0, at), e, ...reference.slice(at)]
          }
          expect(q.size).toBe(reference.length)
          expect(q.peekTime()).toBe(reference.length > 0 ? reference[0].time : Infinity)
        }
        while (reference.length > 0) check(q.pop())
        expect(q.pop()).toBeUndefined()
      }),
      { numRuns: 300 },
    )
  })
})

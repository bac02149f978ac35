// The renderer's index of a trace: lookups by time, messages, crashes, partitions and
// snapshot cuts, whether the trace arrives at once or in pages; and the node states and
// message counters read at a playback position.
import { describe, expect, it } from 'vitest'
import { messageCounters, nodeStates } from '../../renderer/src/trace/run-state'
import { TraceIndex } from '../../renderer/src/trace/trace-index'
import { TraceBuilder, meta } from './trace-builder'

function sample(): TraceBuilder {
  const t = new TraceBuilder(3)
  t.start(0)
  t.start(1)
  t.start(2)
  const s1 = t.send(0, [1, 2], 10, { type: 'request' })
  t.receive(1, s1, 14)
  t.drop(s1, 2, 15)
  const s2 = t.send(1, [0], 20, { type: 'reply' })
  t.crash(2, 25)
  t.receive(0, s2, 50)
  t.partition([[0], [1, 2]], 60)
  t.note(1, 70, 'snapshot.local', { snapshot: '1:1' })
  t.note(0, 71, 'snapshot.local', { snapshot: '1:1' })
  t.heal(80)
  t.start(2, 90, 1)
  return t
}

describe('TraceIndex', () => {
  const t = sample()
  const index = new TraceIndex(meta(3))
  index.append(t.events)

  it('finds events by time with binary search', () => {
    expect(index.length).toBe(t.events.length)
    expect(index.countUpTo(14)).toBe(t.events.filter((e) => (e.time ?? 0) <= 14).length)
    expect(index.firstAt(15)).toBe(5)
    expect(index.countUpTo(-1)).toBe(0)
    expect(index.countUpTo(1e9)).toBe(index.length)
    expect(index.lastTime).toBe(90)
  })

  it('pairs each delivered message with its send, and knows the slowest', () => {
    expect(index.messageCount).toBe(2)
    expect([index.msgSendAt[0], index.msgRecvAt[0]]).toEqual([3, 4])
    expect([index.msgSendAt[1], index.msgRecvAt[1]]).toEqual([6, 8])
    expect(index.maxMessageSpan).toBe(30)
    expect(index.firstMessageReceivedAt(15)).toBe(1)
    expect(index.dropCount).toBe(1)
    expect([index.dropSendAt[0], index.dropTarget[0]]).toEqual([3, 2])
  })

  it('records when nodes were down, partitions and cuts', () => {
    expect(index.crashes[2]).toEqual([{ start: 25, end: 90 }])
    expect(index.crashes[0]).toEqual([])
    expect(index.partitions).toEqual([{ start: 60, end: 80, groups: [[0], [1, 2]], at: 9 }])
    expect(index.cuts.get('1:1')).toEqual([10, 11])
  })

  it('gives the same index when the trace arrives in pages', () => {
    const paged = new TraceIndex(meta(3))
    for (let k = 0; k < t.events.length; k += 4) paged.append(t.events.slice(k, k + 4))
    expect(Array.from(paged.time.subarray(0, paged.length))).toEqual(
      Array.from(index.time.subarray(0, index.length)),
    )
    expect(paged.crashes).toEqual(index.crashes)
    expect(paged.messageCount).toBe(index.messageCount)
  })

  it('keeps display time non-decreasing when clocks disagree (a live trace)', () => {
    const live = new TraceIndex(meta(2))
    live.append([
      { i: 0, kind: 'start', node: 0, seq: 0, lamport: 1, local: 100, incarnation: 0 },
      { i: 1, kind: 'start', node: 1, seq: 0, lamport: 1, local: 40, incarnation: 0 },
    ])
    expect(Array.from(live.time.subarray(0, 2))).toEqual([100, 100])
  })

  it('grows past its first allocation', () => {
    const big = new TraceIndex(meta(1))
    const b = new TraceBuilder(1)
    for (let k = 0; k < 5000; k++) b.note(0, k, 'tick')
    big.append(b.events)
    expect(big.length).toBe(5000)
    expect(big.countUpTo(2499.5)).toBe(2500)
    expect(big.noted.length).toBe(5000)
  })
})

describe('state at the playback head', () => {
  const index = new TraceIndex(meta(3))
  index.append(sample().events)

  it('shows each node up or crashed, with its clocks and traffic so far', () => {
    const at9 = nodeStates(index, 9)
    expect(at9.map((n) => n.status)).toEqual(['up', 'up', 'crashed'])
    expect(at9[0]).toMatchObject({ events: 3, sent: 2, received: 1, lamport: 3, local: 50 })
    expect(nodeStates(index, 0).every((n) => n.status === 'not started')).toBe(true)
    const end = nodeStates(index, index.length)
    expect(end[2]).toMatchObject({ status: 'up', incarnation: 1 })
    expect(end[1].notes[0]).toBe('snapshot.local {"snapshot":"1:1"}')
  })

  it('counts messages up to the head, by type', () => {
    expect(messageCounters(index, 5)).toMatchObject({
      sends: 1,
      messages: 2,
      delivered: 1,
      dropped: 0,
    })
    const all = messageCounters(index, index.length)
    expect(all).toMatchObject({ sends: 2, messages: 3, delivered: 2, dropped: 1, duplicated: 0 })
    expect(all.byType).toEqual([
      { type: 'request', count: 2 },
      { type: 'reply', count: 1 },
    ])
  })
})

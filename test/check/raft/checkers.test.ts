// Raft's four safety checkers against hand-made traces: each flags the event
// where its property breaks, names what it saw, and stays quiet on the
// legitimate patterns around it (an uncommitted entry overwritten by a later
// leader, a server re-applying its log after a crash). The checkers' work on
// real runs is shown by the property and mutant tests.
import { describe, expect, it } from 'vitest'
import {
  commandDigest,
  RAFT_APPEND,
  RAFT_APPLY,
  RAFT_COMMIT,
  RAFT_LEADER,
} from '../../../src/algorithms/raft/notes'
import type { KvCommand } from '../../../src/algorithms/raft/types'
import type { Violation } from '../../../src/check/checker'
import type { JsonValue } from '../../../src/core/json'
import { checkTrace } from '../../../src/check/index'
import { meta, TraceBuilder } from './trace'

const put = (seq: number, value: number): KvCommand => ({
  client: 3,
  seq,
  op: { op: 'put', key: 'x', value },
})
const A = put(1, 1)
const B = put(2, 2)
const C = put(3, 3)
type NoteSpec = [kind: string, data: JsonValue]
const append = (index: number, term: number, c: KvCommand): NoteSpec => [
  RAFT_APPEND,
  { index, term, digest: commandDigest(c) },
]
const commit = (index: number, term: number, c: KvCommand, currentTerm = term): NoteSpec => [
  RAFT_COMMIT,
  { index, term, digest: commandDigest(c), currentTerm },
]
const leader = (term: number): NoteSpec => [RAFT_LEADER, { term }]
const apply = (index: number, c: KvCommand): NoteSpec => [RAFT_APPLY, { index, command: c }]

function violations(t: TraceBuilder, checker: string): Violation[] {
  const v = checkTrace(meta, t.events).find((x) => x.checker === checker)
  if (v === undefined) throw new Error(`${checker} did not run`)
  return v.violations
}

describe('election-safety', () => {
  it('flags a second leader in a term, at its note', () => {
    const t = new TraceBuilder().on(0, leader(1)).on(1, leader(2)).on(2, leader(2))
    const v = violations(t, 'election-safety')
    expect(v.map((x) => x.at)).toEqual([2])
    expect(v[0].message).toContain('term 2, which already elected node 1')
  })

  it('accepts one leader per term, and the same leader noting its term again', () => {
    const t = new TraceBuilder().on(0, leader(1)).on(1, leader(2)).on(1, leader(2))
    expect(violations(t, 'election-safety')).toEqual([])
  })
})

describe('log-matching', () => {
  it('flags an entry with the same index and term but another command', () => {
    const t = new TraceBuilder().on(0, append(1, 1, A)).on(1, append(1, 1, B))
    const v = violations(t, 'log-matching')
    expect(v.map((x) => x.at)).toEqual([1])
    expect(v[0].message).toContain(`holds command ${commandDigest(B)}`)
  })

  it('flags equal entries whose logs differ before them', () => {
    const t = new TraceBuilder()
      .on(0, append(1, 1, A), append(2, 2, C))
      .on(1, append(1, 2, B), append(2, 2, C))
    const v = violations(t, 'log-matching')
    expect(v.map((x) => x.at)).toEqual([1])
    expect(v[0].message).toContain('follows an entry of term 2')
  })

  it('flags a write past the end of a log', () => {
    const t = new TraceBuilder().on(0, append(2, 1, A))
    expect(violations(t, 'log-matching')[0].message).toContain('its log ends at 0')
  })

  it('accepts a follower replacing a conflicting suffix with the leader entries', () => {
    const t = new TraceBuilder()
      .on(0, append(1, 1, A), append(2, 1, B))
      .on(1, append(1, 1, A), append(2, 2, C), append(3, 2, A))
      .on(0, append(2, 2, C), append(3, 2, A))
    expect(violations(t, 'log-matching')).toEqual([])
  })
})

describe('leader-completeness', () => {
  it('flags a leader of a later term whose log lacks a committed entry', () => {
    const t = new TraceBuilder()
      .on(0, leader(1), append(1, 1, A))
      .on(1, append(1, 1, A))
      .on(0, commit(1, 1, A))
      .on(2, leader(2))
    const v = violations(t, 'leader-completeness')
    expect(v.map((x) => x.at)).toEqual([3])
    expect(v[0].message).toContain('without the entry committed at index 1 in term 1')
    expect(v[0].message).toContain('its log holds nothing there')
  })

  it('flags a later leader holding another entry at a committed index', () => {
    const t = new TraceBuilder()
      .on(0, append(1, 1, A), commit(1, 1, A))
      .on(2, append(1, 2, B))
      .on(2, leader(3))
    expect(violations(t, 'leader-completeness')[0].message).toContain('holds term 2')
  })

  it('accepts an uncommitted entry being overwritten by a later leader', () => {
    const t = new TraceBuilder()
      .on(0, leader(1), append(1, 1, A))
      .on(2, leader(2), append(1, 2, B))
      .on(0, append(1, 2, B))
      .on(2, commit(1, 2, B))
      .on(0, leader(3))
    expect(violations(t, 'leader-completeness')).toEqual([])
  })

  it('judges a commit only from the term it was made in', () => {
    // Node 1 learns the commit in term 5; node 2 led term 4 without the entry.
    const t = new TraceBuilder().on(1, append(1, 1, A), commit(1, 1, A, 5)).on(2, leader(4))
    expect(violations(t, 'leader-completeness')).toEqual([])
  })
})

describe('state-machine-safety', () => {
  it('flags two servers applying different commands at one index', () => {
    const t = new TraceBuilder().on(0, apply(1, A)).on(1, apply(1, B))
    const v = violations(t, 'state-machine-safety')
    expect(v.map((x) => x.at)).toEqual([1])
    expect(v[0].message).toContain('where node 0 applied')
  })

  it('flags an apply out of log order', () => {
    const t = new TraceBuilder().on(0, apply(1, A), apply(3, C))
    expect(violations(t, 'state-machine-safety')[0].message).toContain(
      'applies index 3 after index 1',
    )
  })

  it('accepts a recovered server applying its log again from index 1', () => {
    const t = new TraceBuilder()
      .life(0, 'start')
      .on(0, apply(1, A), apply(2, B))
      .life(0, 'crash')
      .life(0, 'recover')
      .on(0, apply(1, A))
      .on(1, apply(1, A), apply(2, B), apply(3, C))
    expect(violations(t, 'state-machine-safety')).toEqual([])
  })

  it('flags a recovered server that applies a different command the second time', () => {
    const t = new TraceBuilder()
      .life(0, 'start')
      .on(0, apply(1, A))
      .life(0, 'crash')
      .life(0, 'recover')
      .on(0, apply(1, B))
    expect(violations(t, 'state-machine-safety').map((x) => x.at)).toEqual([4])
  })
})

// Hand-made Raft traces for the checker tests: a meta for a raft run and
// events that carry just the notes a test needs, numbered in order.
import type { JsonValue } from '../../../src/core/json'
import type { Note, TraceEvent, TraceMeta } from '../../../src/core/trace'

export const meta: TraceMeta = {
  source: 'sim',
  algorithm: 'raft',
  params: { servers: 3 },
  nodes: ['n0', 'n1', 'n2', 'c3', 'c4'],
  vectorTime: false,
}

/** Builds a trace: each call adds one event on `node` with the given notes, or a start/crash/recover. */
export class TraceBuilder {
  readonly events: TraceEvent[] = []

  on(node: number, ...notes: [kind: string, data: JsonValue][]): this {
    return this.push({
      kind: 'timer',
      timer: 'test',
      node,
      notes: notes.map(([kind, data]): Note => ({ kind, data })),
    })
  }

  life(node: number, kind: 'start' | 'recover' | 'crash'): this {
    return this.push(kind === 'crash' ? { kind, node } : { kind, node, incarnation: 0 })
  }

  private push(body: Record<string, unknown>): this {
    const i = this.events.length
    this.events.push({ i, seq: i, lamport: i + 1, local: i, time: i, ...body } as TraceEvent)
    return this
  }
}

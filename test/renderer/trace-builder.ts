// Builds small traces by hand for the renderer's tests: each call appends one event with
// the next position, per-node sequence numbers and Lamport times filled in.
import type { TraceEvent, TraceMeta } from '../../src/core/trace'

export function meta(nodes: number): TraceMeta {
  return {
    source: 'sim',
    algorithm: 'test',
    params: {},
    nodes: Array.from({ length: nodes }, (_, k) => `n${k}`),
    vectorTime: false,
  }
}

export class TraceBuilder {
  readonly events: TraceEvent[] = []
  private seq: number[]
  private lamport: number[]
  private nextMsg = 0

  constructor(nodes: number) {
    this.seq = Array(nodes).fill(0)
    this.lamport = Array(nodes).fill(0)
  }

  private base(node: number, time: number) {
    return {
      i: this.events.length,
      node,
      seq: this.seq[node]++,
      lamport: ++this.lamport[node],
      local: time,
      time,
    }
  }

  start(node: number, time = 0, incarnation = 0): number {
    this.events.push({
      ...this.base(node, time),
      kind: incarnation ? 'recover' : 'start',
      incarnation,
    })
    return this.events.length - 1
  }
  send(node: number, to: number[], time: number, payload: unknown = { type: 'ping' }): number {
    this.events.push({
      ...this.base(node, time),
      kind: 'send',
      msg: this.nextMsg++,
      to,
      payload: payload as null,
    })
    return this.events.length - 1
  }
  receive(node: number, send: number, time: number): number {
    const s = this.events[send] as Extract<TraceEvent, { kind: 'send' }>
    this.events.push({
      ...this.base(node, time),
      kind: 'receive',
      msg: s.msg,
      from: s.node,
      cause: send,
      payload: s.payload,
    })
    return this.events.length - 1
  }
  drop(send: number, to: number, time: number): number {
    const s = this.events[send] as Extract<TraceEvent, { kind: 'send' }>
    this.events.push({
      i: this.events.length,
      kind: 'drop',
      time,
      msg: s.msg,
      from: s.node,
      to,
      reason: 'loss',
    })
    return this.events.length - 1
  }
  crash(node: number, time: number): number {
    this.events.push({ ...this.base(node, time), kind: 'crash' })
    return this.events.length - 1
  }
  note(node: number, time: number, kind: string, data?: unknown): number {
    this.events.push({
      ...this.base(node, time),
      kind: 'timer',
      timer: 't',
      notes: [{ kind, data: data as null }],
    })
    return this.events.length - 1
  }
  partition(groups: number[][], time: number): void {
    this.events.push({ i: this.events.length, kind: 'partition', time, groups })
  }
  heal(time: number): void {
    this.events.push({ i: this.events.length, kind: 'heal', time })
  }
}

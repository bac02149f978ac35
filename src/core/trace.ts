// The trace: one record of everything that happens in a run, simulated or live.
// Process events (on a node's line) carry the node's sequence number, Lamport
// time, vector time and local clock reading; network events (drops, duplicates,
// partitions) carry true time only. A receive names the send that caused it.
import type { JsonValue } from './json'
import type { NodeId } from './process'

export const TRACE_FORMAT = 'clocklab-trace'
export const TRACE_VERSION = 1

export interface Note {
  kind: string
  data?: JsonValue
}

interface ProcessEventBase {
  /** Position in the trace, from 0. */
  i: number
  node: NodeId
  /** Per-node sequence number, from 0. */
  seq: number
  lamport: number
  /** Vector time, omitted when the run keeps no vector time (very many nodes). */
  vc?: number[]
  /** The node's local clock reading (ms). */
  local: number
  /** True time (ms); simulation only. */
  time?: number
  notes?: Note[]
}

export interface StartEvent extends ProcessEventBase {
  kind: 'start' | 'recover'
  incarnation: number
}
export interface SendEvent extends ProcessEventBase {
  kind: 'send'
  msg: number
  to: NodeId[]
  payload: JsonValue
}
export interface ReceiveEvent extends ProcessEventBase {
  kind: 'receive'
  msg: number
  from: NodeId
  /** `i` of the send event this receive delivers. */
  cause: number
  payload: JsonValue
}
export interface TimerEvent extends ProcessEventBase {
  kind: 'timer'
  timer: string
}
export interface CommandEvent extends ProcessEventBase {
  kind: 'command'
  command: JsonValue
}
export interface CrashEvent extends ProcessEventBase {
  kind: 'crash'
}

export type ProcessEvent =
  StartEvent | SendEvent | ReceiveEvent | TimerEvent | CommandEvent | CrashEvent

export type DropReason = 'loss' | 'partition' | 'crashed'

export interface DropEvent {
  i: number
  kind: 'drop'
  time?: number
  msg: number
  from: NodeId
  to: NodeId
  reason: DropReason
}
export interface DuplicateEvent {
  i: number
  kind: 'duplicate'
  time?: number
  msg: number
  from: NodeId
  to: NodeId
}
export interface PartitionEvent {
  i: number
  kind: 'partition'
  time?: number
  groups: NodeId[][]
}
export interface HealEvent {
  i: number
  kind: 'heal'
  time?: number
}

export type NetEvent = DropEvent | DuplicateEvent | PartitionEvent | HealEvent
export type TraceEvent = ProcessEvent | NetEvent

export interface TraceMeta {
  source: 'sim' | 'live'
  algorithm: string
  params: JsonValue
  /** Node names, indexed by node id. */
  nodes: string[]
  seed?: number
  scenario?: string
  vectorTime: boolean
}

export interface Trace {
  format: typeof TRACE_FORMAT
  version: typeof TRACE_VERSION
  meta: TraceMeta
  events: TraceEvent[]
}

/** Receives events as they happen. `vc` arrays are owned by the event: keep them. */
export type TraceSink = (e: TraceEvent) => void

export function isProcessEvent(e: TraceEvent): e is ProcessEvent {
  return 'node' in e
}

/** When an event happened: true time in a simulation, the node's local clock in a live run. */
export function timeOf(e: TraceEvent): number | undefined {
  return e.time ?? (isProcessEvent(e) ? e.local : undefined)
}

/** The data of an event's notes of one kind, in the order the algorithm made them. */
export function notesOf<T>(e: TraceEvent, kind: string): T[] {
  if (!('notes' in e) || e.notes === undefined) return []
  return e.notes.filter((n) => n.kind === kind).map((n) => n.data as T)
}

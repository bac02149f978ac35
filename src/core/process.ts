// The process contract every algorithm implements: a deterministic state machine
// that reacts to inputs (start, message, timer, command) and asks for effects
// through a context. It never touches a socket, a timer, a clock or Math.random;
// the simulator and the live runtime both drive it through this interface.
import type { z } from 'zod'
import type { JsonValue } from './json'

export type NodeId = number

/** What a node may do to its own clock: the discipline a sync algorithm drives. */
export interface ClockDiscipline {
  /** Jump the clock by `deltaMs` at once (may go backwards). */
  step(deltaMs: number): void
  /** Amortize `deltaMs` by changing the clock's rate, bounded by its maximum slew rate. */
  slew(deltaMs: number): void
  /**
   * Set the clock's frequency correction to `ppm` (absolute, like adjtimex's frequency;
   * clamped to the clock's bound, ±500 ppm by default): the knob of a PLL/FLL loop.
   */
  adjustFrequency(ppm: number): void
  /**
   * Read the node's time reference (a GPS receiver, an atomic clock): its time in ms and
   * the bound on its error, or undefined if the node has none (then it is no stratum-1 source).
   */
  reference(): { time: number; error: number } | undefined
}

/**
 * What a node's algorithm can see and do. Messages, commands and annotations are
 * JSON values (they go into the trace and onto the wire) and are frozen once sent.
 */
export interface Context<Msg, Stable = undefined> {
  /** This node's id: 0..nodeCount-1. */
  readonly self: NodeId
  /** Every other node, ascending. */
  readonly peers: readonly NodeId[]
  readonly nodeCount: number
  /** 0 on the first start, then one more after each crash and recovery. */
  readonly incarnation: number
  /** State that survives a crash (stable storage); volatile state does not. */
  readonly stable: Stable
  readonly clock: ClockDiscipline
  /** The node's own local clock in ms: it may drift, step and slew. */
  now(): number
  /** Seeded uniform random number in [0, 1). */
  random(): number
  send(to: NodeId, msg: Msg): void
  /** Send to every other node (one send event, one message per peer). */
  broadcast(msg: Msg): void
  /** (Re)arm the named timer to fire after `afterMs` of local time. */
  setTimer(name: string, afterMs: number): void
  cancelTimer(name: string): void
  /** Label the event being handled ("enter CS", "became leader", "deliver m7"). */
  annotate(kind: string, data?: JsonValue): void
}

/** What the random workload may read when it makes a command for a node. */
export interface WorkloadContext {
  readonly self: NodeId
  readonly peers: readonly NodeId[]
  random(): number
}

export interface Algorithm<State, Msg, Cmd, Params = Record<string, never>, Stable = undefined> {
  readonly name: string
  /** clocks, broadcast, snapshot, detect, election, mutex, raft, sync */
  readonly family: string
  /** One sentence for lists and --help. */
  readonly summary: string
  /** Validates and defaults the algorithm's parameters. */
  readonly params?: z.ZodType<Params>
  /** Validates commands issued from scenarios and the API. */
  readonly commands?: z.ZodType<Cmd>
  /**
   * The fewest nodes a run with these params needs (an NTP hierarchy, a server plus
   * clients): fewer is an input error, and a run by the algorithm's name gets this many.
   */
  minNodes?(params: Params): number
  /** How long a run by the algorithm's name lasts, ms (a scenario says its own; default 10 s). */
  readonly defaultUntil?: number
  /** Initial stable storage, created once per node and kept across crashes. */
  stable?(): Stable
  /** Fresh volatile state, on start and after every recovery. */
  init(ctx: Context<Msg, Stable>, params: Params): State
  onStart?(s: State, ctx: Context<Msg, Stable>): void
  onMessage?(s: State, from: NodeId, msg: Msg, ctx: Context<Msg, Stable>): void
  onTimer?(s: State, name: string, ctx: Context<Msg, Stable>): void
  onCommand?(s: State, cmd: Cmd, ctx: Context<Msg, Stable>): void
  /** A random command for the built-in workload (undefined: nothing to do now). */
  randomCommand?(w: WorkloadContext): Cmd | undefined
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAlgorithm = Algorithm<any, any, any, any, any>

/** Identity helper that lets TypeScript check an algorithm's handlers against its types. */
export function defineAlgorithm<
  State,
  Msg,
  Cmd,
  Params = Record<string, never>,
  Stable = undefined,
>(def: Algorithm<State, Msg, Cmd, Params, Stable>): Algorithm<State, Msg, Cmd, Params, Stable> {
  return def
}

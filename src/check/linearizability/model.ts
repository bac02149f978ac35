// What the linearizability search needs to know about an object: its sequential
// specification (a model), and how a concurrent history of its operations is
// written down. A model also names the partition each operation belongs to:
// operations on different partitions (a key-value store's keys) never affect
// each other, so each partition is checked alone (P-compositionality, Horn and
// Kroening 2015), which keeps the search small.

/**
 * One operation of a history: invoked at `call`, answered at `ret` (Infinity: never
 * answered). An operation that returned at or before another's call precedes it.
 */
export interface Operation<Input, Output> {
  input: Input
  /** The response; undefined if the operation never returned. */
  output: Output | undefined
  /** Invocation and response times (any clock that orders them; a trace position will do). */
  call: number
  ret: number
  /** Who did it, for messages: "client 3 request 7". */
  label: string
}

export type StateKey = string | number | boolean | null

export interface Model<State, Input, Output> {
  readonly init: State
  /**
   * The state after `input` takes effect in `state` answering `output`, or undefined if
   * the specification cannot answer that. `output` undefined: unknown (never returned),
   * any answer will do.
   */
  step(state: State, input: Input, output: Output | undefined): State | undefined
  /** Operations in different partitions are independent. */
  partition(input: Input): string
  /** Whether the operation changes no state: one that never returned can then be left out. */
  readOnly(input: Input): boolean
  /** A primitive that stands for the state: equal keys, equal states. */
  stateKey(state: State): StateKey
  describe(input: Input, output: Output | undefined): string
}

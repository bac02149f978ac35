// JSON values: what messages, commands, annotations and stable storage may hold,
// so a trace can always be written out and a live run can put it on the wire.

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined }

/** Deep-freezes a value so a message cannot change after it is sent (as on a real wire). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    // for-in rather than Object.values: no array per call on the simulator's send path.
    for (const key in value) deepFreeze(value[key])
  }
  return value
}

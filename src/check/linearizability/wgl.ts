// Linearizability checking: is there an order of a history's operations that the
// sequential model accepts and that keeps every operation that returned before
// another was invoked ahead of it? The search is Wing and Gong's, with Lowe's
// memoization ("Testing for linearizability", 2017), as in Porcupine:
// - the history is a list of call and return entries in time order;
// - at each step, try to linearize a call that comes before the first return:
//   apply it to the model; if the model accepts its response and the pair
//   (set of operations linearized, model state) is new, remove its call and
//   return from the list and go on; a return reached first means the operation
//   it ends could not be placed: undo the last choice and try the next call;
// - the cache of (linearized set, state) pairs seen cuts every branch that
//   reaches a configuration already explored;
// - the first call tried at each step is that of the operation whose return
//   comes first (earliest deadline first): it has to go before anything called
//   after its return, so placing it at once is most often right. This cuts the
//   search several times over when many operations on a key overlap.
// An operation that never returned has its return at the end: it may take
// effect at any point after its call, including after everything else (which is
// the same as never). One that changes no state is dropped outright. Each
// partition of the model (a key) is searched alone.
import type { Model, Operation, StateKey } from './model'

export type LinearizabilityResult<Input, Output> =
  | { ok: true }
  | {
      ok: false
      partition: string
      /** The operation the deepest branch of the search could not place. */
      blocked: Operation<Input, Output>
      /** How many of the partition's operations that branch had placed. */
      placed: number
      total: number
    }

export function checkLinearizability<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly Operation<Input, Output>[],
): LinearizabilityResult<Input, Output> {
  const partitions = new Map<string, Operation<Input, Output>[]>()
  for (const op of history) {
    if (op.ret === Infinity && model.readOnly(op.input)) continue
    const key = model.partition(op.input)
    let ops = partitions.get(key)
    if (ops === undefined) partitions.set(key, (ops = []))
    ops.push(op)
  }
  for (const [partition, ops] of [...partitions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const r = searchPartition(model, ops)
    if (r !== undefined) return { ok: false, partition, ...r, total: ops.length }
  }
  return { ok: true }
}

/** A well-mixed 32-bit value per operation: the hash of a set is the XOR of its members'. */
function opHash(k: number): number {
  let h = Math.imul(k + 1, 0x9e3779b1)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) | 0
}

function keyHash(key: StateKey): number {
  if (typeof key === 'number') return opHash(key | 0) ^ Math.imul(Math.round(key * 1000), 31)
  if (typeof key !== 'string') return key === null ? 0x5bd1e995 : key ? 1 : 2
  let h = 0x811c9dc5
  for (let k = 0; k < key.length; k++) h = Math.imul(h ^ key.charCodeAt(k), 0x01000193)
  return h | 0
}

/** The set of (linearized operations, state) configurations the search has reached. */
class Seen {
  private readonly buckets = new Map<number, { bits: Uint32Array; key: StateKey }[]>()

  /** Adds the configuration; false if it was there already. */
  add(bits: Uint32Array, setHash: number, key: StateKey): boolean {
    const h = (setHash ^ keyHash(key)) | 0
    let bucket = this.buckets.get(h)
    if (bucket === undefined) this.buckets.set(h, (bucket = []))
    for (const c of bucket) if (c.key === key && sameBits(c.bits, bits)) return false
    bucket.push({ bits: bits.slice(), key })
    return true
  }
}

function sameBits(a: Uint32Array, b: Uint32Array): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false
  return true
}

/** Searches one partition; undefined if it is linearizable, else where the deepest branch stuck. */
function searchPartition<State, Input, Output>(
  model: Model<State, Input, Output>,
  ops: readonly Operation<Input, Output>[],
): { blocked: Operation<Input, Output>; placed: number } | undefined {
  const n = ops.length
  // Entry 2k is operation k's call, 2k + 1 its return; HEAD and TAIL bound the list.
  const HEAD = 2 * n
  const TAIL = 2 * n + 1
  const order = Array.from({ length: 2 * n }, (_, e) => e)
  const time = (e: number) => (e & 1 ? ops[e >> 1].ret : ops[e >> 1].call)
  // In time order; at equal times a return goes first (it ended before the call began).
  order.sort((a, b) => time(a) - time(b) || (b & 1) - (a & 1) || a - b)
  const next = new Int32Array(2 * n + 2)
  const prev = new Int32Array(2 * n + 2)
  let last = HEAD
  for (const e of order) {
    next[last] = e
    prev[e] = last
    last = e
  }
  next[last] = TAIL
  prev[TAIL] = last

  const unlink = (e: number) => {
    next[prev[e]] = next[e]
    prev[next[e]] = prev[e]
  }
  const relink = (e: number) => {
    next[prev[e]] = e
    prev[next[e]] = e
  }

  const bits = new Uint32Array((n + 31) >>> 5)
  const hashes = Int32Array.from({ length: n }, (_, k) => opHash(k))
  let setHash = 0
  const seen = new Seen()
  const stackOp = new Int32Array(n)
  /** Whether the choice at each depth was the earliest-deadline one (then undoing it rescans). */
  const stackFirst = new Uint8Array(n)
  const stackState: State[] = []
  let depth = 0
  let state = model.init
  let deepest = -1
  let blocked = 0

  const flip = (k: number) => {
    bits[k >>> 5] ^= 1 << (k & 31)
    setHash ^= hashes[k]
  }
  /** Linearizes operation k next if the model allows it and the configuration is new. */
  const place = (k: number, first: boolean): boolean => {
    const after = model.step(
      state,
      ops[k].input,
      ops[k].ret === Infinity ? undefined : ops[k].output,
    )
    if (after === undefined) return false
    flip(k)
    if (!seen.add(bits, setHash, model.stateKey(after))) {
      flip(k)
      return false
    }
    stackOp[depth] = k
    stackFirst[depth] = first ? 1 : 0
    stackState[depth] = state
    depth++
    state = after
    unlink(2 * k)
    unlink(2 * k + 1)
    return true
  }

  while (next[HEAD] !== TAIL) {
    // Earliest deadline first: try the operation whose return comes first, which must
    // precede everything called after it; then every call before that return, in order.
    let entry = next[HEAD]
    while ((entry & 1) === 0) entry = next[entry]
    if (place(entry >> 1, true)) continue
    entry = next[HEAD]
    for (;;) {
      if ((entry & 1) === 0) {
        if (place(entry >> 1, false)) break
        entry = next[entry]
        continue
      }
      // A return before any call we could place: operation k cannot go here. Undo the
      // last choice and try the calls after it (all of them, if it was the first try).
      const k = entry >> 1
      if (depth > deepest) {
        deepest = depth
        blocked = k
      }
      if (depth === 0) return { blocked: ops[blocked], placed: deepest }
      depth--
      const undone = stackOp[depth]
      state = stackState[depth]
      flip(undone)
      relink(2 * undone + 1)
      relink(2 * undone)
      entry = stackFirst[depth] === 1 ? next[HEAD] : next[2 * undone]
    }
  }
  return undefined
}

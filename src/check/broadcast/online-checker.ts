// The frame the online broadcast checkers share (integrity, FIFO, causal and
// total order): a checker applies to the algorithms that guarantee its property
// (src/algorithms/broadcast/index.ts), reads only the process events that carry
// notes, and flags each violation at the event it reads; nothing is left to
// judge at the end. A checker supplies only what it keeps and what it does with
// one such event.
import { guarantees, type BroadcastProperty } from '../../algorithms/broadcast'
import type { NodeId } from '../../core/process'
import { isProcessEvent, type ProcessEvent, type TraceMeta } from '../../core/trace'
import type { CheckerSpec, Violation } from '../checker'

/** A node's name as the trace's meta gives it, for violation messages. */
export function nodeNamer(meta: TraceMeta): (k: NodeId) => string {
  return (k) => meta.nodes[k] ?? `n${k}`
}

/** Reads one process event that carries notes; `flag` reports a violation at it. */
export type NotedEventReader = (e: ProcessEvent, flag: (message: string) => void) => void

/**
 * A checker of `name` over the process events with notes. `start` is called once
 * per run, with the run's meta and its node names, and returns the reader that
 * judges each event.
 */
export function onlineBroadcastChecker(
  name: BroadcastProperty,
  description: string,
  start: (meta: TraceMeta, node: (k: NodeId) => string) => NotedEventReader,
): CheckerSpec {
  return {
    name,
    description,
    appliesTo: (meta) => guarantees(meta.algorithm, name),
    create(meta) {
      const read = start(meta, nodeNamer(meta))
      return {
        onEvent(e) {
          if (!isProcessEvent(e) || e.notes === undefined) return undefined
          const out: Violation[] = []
          read(e, (message) => out.push({ checker: name, at: e.i, message }))
          return out.length > 0 ? out : undefined
        },
        finish: () => [],
      }
    },
  }
}

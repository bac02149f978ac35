// No starvation (bounded waiting) for the algorithms that claim fairness: once
// a node's request is known to every node it sent it to, other nodes enter the
// critical section at most N-1 times before it does.
//
// Counting starts when the request is known: when every message sent while
// handling the request (the cs.request event) has been delivered; at once if
// there are none (a token already here, the coordinator's own request, the
// token ring). Before that, no algorithm can honour the request, and delays can
// let others enter any number of times. From then on each fair algorithm serves
// at most one entry of each other node first: the coordinator's FIFO queue holds
// each node at most once; in Ricart-Agrawala every later request carries a larger
// timestamp; the token's queue or the ring visits each node at most once.
// A request whose messages never all arrive (a drop) is never counted. Majority
// voting is not fair, and not checked. Flagged once per request, at the entry
// that exceeds the bound.
import { fairMutexAlgorithms } from '../../algorithms/mutex'
import { CS_ENTER, CS_REQUEST } from '../../algorithms/mutex/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'

const NAME = 'no-starvation'

interface Waiting {
  node: NodeId
  /** The cs.request event. */
  at: number
  /** Messages of the request not yet delivered, as `msg:destination`. */
  undelivered: Set<string>
  /** The event where the last of them was delivered. */
  knownAt: number
  /** Entries by other nodes since the request became known. */
  overtaken: number
  flagged: boolean
}

export const noStarvationChecker: CheckerSpec = {
  name: NAME,
  description:
    'Once a request is known to all, other nodes enter the critical section at most N-1 times before it',
  appliesTo: (meta) => fairMutexAlgorithms.has(meta.algorithm),
  create(meta): Checker {
    const bound = meta.nodes.length - 1
    const waiting = new Map<NodeId, Waiting>()
    /** The request being handled on each node: the sends that follow belong to it. */
    const handling = new Map<NodeId, Waiting>()
    const inFlight = new Map<string, Waiting>()
    return {
      onEvent(e) {
        if (!isProcessEvent(e)) return undefined
        if (e.kind === 'send') {
          const w = handling.get(e.node)
          if (w !== undefined)
            for (const to of e.to) {
              const key = `${e.msg}:${to}`
              w.undelivered.add(key)
              inFlight.set(key, w)
            }
          return undefined
        }
        handling.delete(e.node)
        if (e.kind === 'crash') waiting.delete(e.node)
        if (e.kind === 'receive') {
          const key = `${e.msg}:${e.node}`
          const w = inFlight.get(key)
          if (w !== undefined) {
            inFlight.delete(key)
            w.undelivered.delete(key)
            if (w.undelivered.size === 0) w.knownAt = e.i
          }
        }
        let out: Violation[] | undefined
        for (const note of e.notes ?? []) {
          if (note.kind === CS_REQUEST) {
            const w: Waiting = {
              node: e.node,
              at: e.i,
              undelivered: new Set(),
              knownAt: e.i,
              overtaken: 0,
              flagged: false,
            }
            waiting.set(e.node, w)
            handling.set(e.node, w)
          }
          if (note.kind !== CS_ENTER) continue
          waiting.delete(e.node)
          for (const w of waiting.values()) {
            if (w.undelivered.size > 0) continue
            w.overtaken += 1
            if (w.overtaken <= bound || w.flagged) continue
            w.flagged = true
            ;(out ??= []).push({
              checker: NAME,
              at: e.i,
              message: `node ${e.node} enters while node ${w.node} has waited since its request (event ${w.at}, known to all at event ${w.knownAt}): ${w.overtaken} entries by others, bound N-1 = ${bound}`,
            })
          }
        }
        return out
      },
      finish: () => [],
    }
  },
}

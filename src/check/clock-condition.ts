// Checks the logical-clock algorithms' own timestamps (their 'lamport' and
// 'vector' annotations) against the clock condition: if e happened before f then
// C(e) < C(f). Along a node's line each stamp must exceed the last; across a
// message the receive's stamp must exceed the stamp the sender held when sending.
// A crash wipes a textbook logical clock, so restarting from zero is flagged: the
// lab shows why such clocks need stable storage.
import { compareVectors } from '../core/causality'
import { isProcessEvent } from '../core/trace'
import type { Checker, CheckerSpec, Violation } from './checker'

type Stamp = number | readonly number[]

function less(a: Stamp, b: Stamp): boolean {
  if (typeof a === 'number' || typeof b === 'number') return (a as number) < (b as number)
  return compareVectors(a, b) === 'before'
}

function clockConditionChecker(algorithm: string, kind: string): CheckerSpec {
  const name = `clock-condition`
  return {
    name,
    description: `${algorithm} timestamps respect happens-before: e -> f implies C(e) < C(f)`,
    appliesTo: (meta) => meta.algorithm === algorithm,
    create(meta): Checker {
      const last: (Stamp | undefined)[] = new Array(meta.nodes.length)
      const atSend = new Map<number, Stamp>()
      return {
        onEvent(e) {
          if (!isProcessEvent(e)) return undefined
          if (e.kind === 'send') {
            const s = last[e.node]
            if (s !== undefined) atSend.set(e.i, s)
            return undefined
          }
          const note = e.notes?.find((x) => x.kind === kind)
          if (note === undefined) return undefined
          const stamp = note.data as Stamp
          const out: Violation[] = []
          const prev = last[e.node]
          if (prev !== undefined && !less(prev, stamp))
            out.push({
              checker: name,
              at: e.i,
              message: `stamp ${JSON.stringify(stamp)} does not exceed the previous ${JSON.stringify(prev)} on node ${e.node}`,
            })
          if (e.kind === 'receive') {
            const sent = atSend.get(e.cause)
            if (sent !== undefined && !less(sent, stamp))
              out.push({
                checker: name,
                at: e.i,
                message: `stamp ${JSON.stringify(stamp)} does not exceed the sender's ${JSON.stringify(sent)}`,
              })
          }
          last[e.node] = stamp
          return out.length > 0 ? out : undefined
        },
        finish: () => [],
      }
    },
  }
}

export const lamportClockCondition = clockConditionChecker('lamport', 'lamport')
export const vectorClockCondition = clockConditionChecker('vector', 'vector')

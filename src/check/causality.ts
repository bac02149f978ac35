// Checks the trace's own logical time against its causal links: each event's
// Lamport time is one more than the larger of its node's previous event and (for
// a receive) its send; each vector timestamp is the component-wise maximum of the
// same predecessors with the node's own entry ticked. By induction this makes
// vector order equal happens-before on every run.
import { isProcessEvent } from '../core/trace'
import type { Checker, CheckerSpec, Violation } from './checker'

export const causalityChecker: CheckerSpec = {
  name: 'causality',
  description: 'Lamport and vector time of every event follow from its causal predecessors',
  appliesTo: () => true,
  create(meta): Checker {
    const n = meta.nodes.length
    const lastLamport = new Float64Array(n)
    const lastVc: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0))
    const lastSeq = new Float64Array(n).fill(-1)
    const sends = new Map<number, { lamport: number; vc?: number[] }>()
    const bad = (at: number, message: string): Violation[] => [
      { checker: 'causality', at, message },
    ]
    return {
      onEvent(e) {
        if (!isProcessEvent(e)) return undefined
        if (e.seq !== lastSeq[e.node] + 1)
          return bad(e.i, `node ${e.node}: sequence ${e.seq} follows ${lastSeq[e.node]}`)
        lastSeq[e.node] = e.seq
        let expectLamport = lastLamport[e.node]
        let expectVc = meta.vectorTime ? [...lastVc[e.node]] : undefined
        if (e.kind === 'receive') {
          const s = sends.get(e.cause)
          if (s === undefined) return bad(e.i, `receive of message ${e.msg} names no earlier send`)
          expectLamport = Math.max(expectLamport, s.lamport)
          if (expectVc && s.vc)
            expectVc = expectVc.map((v, k) => Math.max(v, (s.vc as number[])[k]))
        }
        expectLamport += 1
        if (e.lamport !== expectLamport)
          return bad(e.i, `Lamport time ${e.lamport}, expected ${expectLamport}`)
        lastLamport[e.node] = e.lamport
        if (expectVc) {
          expectVc[e.node] += 1
          if (!e.vc || e.vc.length !== n || e.vc.some((v, k) => v !== expectVc[k]))
            return bad(e.i, `vector time [${e.vc}], expected [${expectVc}]`)
          lastVc[e.node] = e.vc
        }
        if (e.kind === 'send') sends.set(e.i, { lamport: e.lamport, vc: e.vc })
        return undefined
      },
      finish: () => [],
    }
  },
}

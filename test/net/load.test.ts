// The live lab under load (the bench bench/lan-load.ts at test length): 20 real
// `clocklab lan join` processes on loopback, lab heartbeats, and Ricart-Agrawala with a
// workload across all of them for CLOCKLAB_LOAD_SECONDS (default 60). Every trace event
// a node logged reaches the starter's merged trace exactly once, the checkers pass, and
// each process's memory after warm-up grows less than the stated bound (load-harness.ts).
import { describe, expect, it } from 'vitest'
import { describeLoad, loadFailures, runLoad } from './load-harness'

const SECONDS = Number(process.env.CLOCKLAB_LOAD_SECONDS ?? 60)
const PEERS = Number(process.env.CLOCKLAB_LOAD_PEERS ?? 20)

describe('the live lab under load', () => {
  it(
    `${PEERS} processes, ${SECONDS} s: no trace event lost, checkers green, memory bounded`,
    async () => {
      console.log(`load test: ${PEERS} join processes for ${SECONDS} s (CLOCKLAB_LOAD_SECONDS)`)
      const report = await runLoad({
        peers: PEERS,
        seconds: SECONDS,
        algorithm: 'ricart-agrawala',
        rate: 0.2,
        sampleMs: 2000,
        say: (line) => console.log(line),
      })
      for (const line of describeLoad(report)) console.log(line)
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
      expect(sum(report.logged)).toBeGreaterThan(0)
      expect(report.received).toEqual(report.logged)
      expect(report.merged).toBe(sum(report.logged))
      expect(report.verdicts.map((v) => v.checker)).toContain('mutual-exclusion')
      expect(loadFailures(report)).toEqual([])
    },
    SECONDS * 1000 + 300_000,
  )
})

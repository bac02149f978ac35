// The live lab as real processes on loopback (runs anywhere, no namespaces needed):
// three `clocklab lan join` processes on 127.0.0.1 with their own ports, discovery by
// unicast to the known ports (loopback mode), and a bully election with failover after
// the leader's process is killed by PID.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseTrace } from '../../src/core/trace-schema'
import { freePorts } from './lab-harness'
import { failoverScenario } from './failover-scenario'
import { clocklabProc, stopAll } from './processes'

describe('live lab processes on loopback', () => {
  it('elects a new coordinator after the leader process is killed; merged trace valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clocklab-lanproc-'))
    try {
      const ports = await freePorts(4)
      const seeds = ['--seeds', ports.join(',')]
      const host = (k: number) => ({ prefix: [], flags: [...seeds, '--port', String(ports[k])] })
      await failoverScenario([0, 1, 2].map(host), host(3), dir)
    } finally {
      await stopAll()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('faults in a live run, from the command line', () => {
  it('applies link faults set by the starter and a crash and restart typed at a workstation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clocklab-lanfault-'))
    try {
      const ports = await freePorts(4)
      const env = { CLOCKLAB_LAB_PASSPHRASE: 'integration test passphrase' }
      const net = (k: number) => [
        '--lab',
        'faults',
        '--seeds',
        ports.join(','),
        '--port',
        String(ports[k]),
        '--heartbeat-ms',
        '100',
        '--state-dir',
        join(dir, `ws${k}`),
      ]
      const joins = [0, 1, 2].map((k) =>
        clocklabProc(['lan', 'join', '--name', `ws${k}`, ...net(k)], [], env),
      )
      await Promise.all(joins.map((p) => p.line(/^joined lab/)))
      const out = join(dir, 'run.json')
      const run = clocklabProc(
        [
          'lan',
          'run',
          'causal-broadcast',
          '--nodes',
          '3',
          '--no-participate',
          '--duration',
          '2500',
          '--rate',
          '10',
          '--link',
          '0-1:delay=40',
          '--link',
          '2-0:drop=1',
          '--out',
          out,
          ...net(3),
        ],
        [],
        env,
      )
      const line = await joins[1].line(/^experiment \S+: node \d+/)
      const typed = Number(/node (\d+)/.exec(line)?.[1])
      await new Promise((r) => setTimeout(r, 600))
      joins[1].type('crash')
      await joins[1].line(/^node crash/)
      await new Promise((r) => setTimeout(r, 400))
      joins[1].type('restart')
      await joins[1].line(/^node restart/)
      expect(await run.exited, run.lines.join('\n')).toBe(0)
      const trace = parseTrace(readFileSync(out, 'utf8'), out)
      const at = trace.events.filter((e) => 'node' in e && e.node === typed).map((e) => e.kind)
      expect(at[at.indexOf('crash') + 1]).toBe('recover')
      // Every message from node 2 to node 0 was lost, and recorded as lost.
      const lost = trace.events.filter((e) => e.kind === 'drop' && e.from === 2 && e.to === 0)
      expect(lost.length).toBeGreaterThan(0)
      expect(lost.every((e) => e.kind === 'drop' && e.reason === 'loss')).toBe(true)
      expect(trace.events.some((e) => e.kind === 'receive' && e.from === 2 && e.node === 0)).toBe(
        false,
      )
      // Node 0's messages reach node 1 the extra 40 ms after they were sent (less up to 2 ms:
      // each process reads the wall clock from its own time origin).
      const sends = new Map(trace.events.filter((e) => e.kind === 'send').map((e) => [e.i, e]))
      const delays = trace.events.flatMap((e) =>
        e.kind === 'receive' && e.from === 0 && e.node === 1
          ? [e.local - (sends.get(e.cause)?.local ?? 0)]
          : [],
      )
      expect(delays.length).toBeGreaterThan(0)
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(38)
    } finally {
      await stopAll()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

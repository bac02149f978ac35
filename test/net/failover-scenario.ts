// One scenario, two networks: three `clocklab lan join` processes and a coordinating
// `clocklab lan run bully`; the leader's process is killed by PID, the other two elect a
// new coordinator, the killed workstation starts ClockLab again (uploading what it
// recorded), and the merged trace is valid with every checker green.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { parseTrace } from '../../src/core/trace-schema'
import { notesOf, type Trace } from '../../src/core/trace'
import { clocklabProc, killProc, type Proc } from './processes'

export interface Host {
  /** Command prefix that runs a process on this host (e.g. ip netns exec NS). */
  prefix: string[]
  /** Network flags for this host (--seeds/--port on loopback, --iface in a namespace). */
  flags: string[]
}

const ENV = { CLOCKLAB_LAB_PASSPHRASE: 'integration test passphrase' }
const TIMING = ['--heartbeat-ms', '100', '--timeout-ms', '500']

export async function failoverScenario(hosts: Host[], starter: Host, dir: string): Promise<Trace> {
  const join_ = (k: number): Proc =>
    clocklabProc(
      [
        'lan',
        'join',
        '--lab',
        'itest',
        '--name',
        `ws${k}`,
        '--state-dir',
        join(dir, `ws${k}`),
        ...TIMING,
        ...hosts[k].flags,
      ],
      hosts[k].prefix,
      ENV,
    )
  const joins = hosts.map((_, k) => join_(k))
  await Promise.all(joins.map((p) => p.line(/^joined lab/)))
  const out = join(dir, 'run.json')
  const run = clocklabProc(
    [
      'lan',
      'run',
      'bully',
      '--lab',
      'itest',
      '--nodes',
      String(hosts.length),
      '--no-participate',
      '--duration',
      '5000',
      '--check',
      '--out',
      out,
      '--state-dir',
      join(dir, 'starter'),
      ...TIMING,
      ...starter.flags,
    ],
    starter.prefix,
    ENV,
  )
  // Node ids go by peer id: find the process that runs the highest, the first leader.
  const top = hosts.length - 1
  const nodeLines = await Promise.all(joins.map((p) => p.line(/^experiment \S+: node \d+/)))
  const leader = nodeLines.findIndex((l) => new RegExp(`: node ${top},`).test(l))
  await new Promise((r) => setTimeout(r, 1500))
  killProc(joins[leader])
  await joins[leader].exited
  await new Promise((r) => setTimeout(r, 2000))
  const again = join_(leader)
  await again.line(/^joined lab/)
  const code = await run.exited
  const output = run.lines.join('\n')
  expect(output).toMatch(/process lost: node \d/)
  expect(code, output).toBe(0)
  expect(output).toMatch(/^ok {3}leader-agreement/m)
  const trace = parseTrace(readFileSync(out, 'utf8'), out)
  const crash = trace.events.find((e) => e.kind === 'crash' && e.node === top)
  expect(crash).toBeDefined()
  // After the crash, every other node takes the next highest as coordinator.
  for (let k = 0; k < top; k++) {
    const last = trace.events
      .filter((e) => 'node' in e && e.node === k)
      .flatMap((e) => notesOf<{ leader: number }>(e, 'leader'))
      .at(-1)
    expect(last?.leader).toBe(top - 1)
  }
  return trace
}

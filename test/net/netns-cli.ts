// `clocklab lan` in the hosts of a namespace lab (netns.ts), for the integration tests: the
// flags every host shares, a join in each host, and a checked experiment run from one.
import { join } from 'node:path'
import { expect } from 'vitest'
import type { NetnsLab } from './netns'
import { clocklabProc, type Proc } from './processes'

/** `ip netns exec NS`: the prefix that runs a command in host k. */
export const inNs = (lab: NetnsLab, k: number): string[] => ['ip', 'netns', 'exec', lab.hosts[k].ns]

/**
 * The `clocklab lan` flags of host k in lab `name`: its interface, heartbeats every 100 ms,
 * a state dir of its own under `dir` (k also names a probe's or a starter's), and `extra`.
 */
export const lanFlags =
  (lab: NetnsLab, name: string, dir: string, extra: string[] = []) =>
  (k: number): string[] => [
    '--lab',
    name,
    '--iface',
    lab.hosts[0].iface,
    '--heartbeat-ms',
    '100',
    ...extra,
    '--state-dir',
    join(dir, `ws${k}`),
  ]

/** `clocklab lan join --name wsK` in every host; resolves once each has joined. */
export async function joinEach(
  lab: NetnsLab,
  flags: (k: number) => string[],
  env: NodeJS.ProcessEnv,
): Promise<Proc[]> {
  const joins = lab.hosts.map((_, k) =>
    clocklabProc(['lan', 'join', '--name', `ws${k}`, ...flags(k)], inNs(lab, k), env),
  )
  await Promise.all(joins.map((p) => p.line(/^joined lab/)))
  return joins
}

/**
 * `clocklab lan run ALGORITHM --check` on every host (host `from` starts it, taking no
 * part): asserts it ends with 0, every trace merged and nothing failed, cut or lost, and
 * resolves with its output.
 */
export async function runChecked(
  lab: NetnsLab,
  from: number,
  algorithm: string,
  extra: string[],
  flags: string[],
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const run = clocklabProc(
    [
      'lan',
      'run',
      algorithm,
      '--nodes',
      String(lab.hosts.length),
      '--no-participate',
      '--check',
    ].concat(extra, flags),
    inNs(lab, from),
    env,
  )
  const code = await run.exited
  const output = run.lines.join('\n')
  expect(code, output).toBe(0)
  expect(output).toMatch(/events merged/)
  expect(output).not.toMatch(/^FAIL|events cut|process lost|no trace from/m)
  return output
}

// The live lab across network namespaces: three hosts on a bridge with netem delay
// (2 ms ± 1 ms), a real `clocklab lan join` process in each, discovery over real
// multicast, and a bully election with failover after the leader's process is killed
// by PID. Skipped, with the reason, only where namespaces cannot be created.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { failoverScenario } from './failover-scenario'
import { createNetnsLab, netnsUnavailable } from './netns'
import { joinEach, lanFlags, runChecked } from './netns-cli'
import { clocklabProc, stopAll } from './processes'

const unavailable = netnsUnavailable()
if (unavailable !== undefined) console.log(`netns suite skipped: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('live lab in network namespaces', () => {
  it('discovers the peers over multicast and fails over after the leader process is killed', async () => {
    const lab = createNetnsLab(3)
    const dir = mkdtempSync(join(tmpdir(), 'clocklab-netns-'))
    try {
      const hosts = lab.hosts.map((h) => ({
        prefix: ['ip', 'netns', 'exec', h.ns],
        flags: ['--iface', h.iface],
      }))
      const peers = clocklabProc(
        [
          'lan',
          'peers',
          '--lab',
          'other',
          '--wait',
          '300',
          '--state-dir',
          join(dir, 'probe'),
          ...hosts[0].flags,
        ],
        hosts[0].prefix,
        { CLOCKLAB_LAB_PASSPHRASE: 'no one else here' },
      )
      expect(await peers.exited, peers.lines.join('\n')).toBe(0)
      expect(peers.lines[0]).toMatch(/^0 peer\(s\) in lab other/)
      await failoverScenario(hosts, hosts[0], dir)
    } finally {
      await stopAll()
      lab.destroy()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('runs Ricart-Agrawala, Raft and RBS across the namespaces with their checkers green', async () => {
    const lab = createNetnsLab(3)
    const dir = mkdtempSync(join(tmpdir(), 'clocklab-netns-'))
    const env = { CLOCKLAB_LAB_PASSPHRASE: 'integration test passphrase' }
    const flags = lanFlags(lab, 'algos', dir)
    try {
      await joinEach(lab, flags, env)
      const runs: [string, string[]][] = [
        ['ricart-agrawala', ['--duration', '2000', '--rate', '8']],
        ['raft', ['--duration', '3000']],
        ['rbs', ['--duration', '2500', '-p', 'period-ms=100']],
      ]
      for (const [algorithm, extra] of runs)
        await runChecked(lab, 0, algorithm, extra, flags(9), env)
    } finally {
      await stopAll()
      lab.destroy()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

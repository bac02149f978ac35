// Multicast as the broadcast transport across network namespaces: three dual-stack
// hosts (IPv4 and IPv6 ULA) on a bridge, a real `clocklab lan join --broadcast
// multicast` in each. Each peer is seen once (not once per family) at its IPv4
// address; Lamport total order (which needs FIFO links), causal and FIFO broadcast and
// RBS run with their broadcasts multicast and every checker green. There is no loss
// on these links (tc netem is not in this kernel): loss and NACK repair are tested
// with application-level loss injection in multicast-broadcast.test.ts.
// Skipped, with the reason, only where namespaces cannot be created.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { netnsUnavailable } from './netns'
import { inNs, joinEach, lanFlags, runChecked } from './netns-cli'
import { createNetns6Lab } from './netns6'
import { clocklabProc, stopAll } from './processes'

const unavailable = netnsUnavailable()
if (unavailable !== undefined) console.log(`netns multicast suite skipped: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('multicast broadcast in network namespaces', () => {
  it('runs broadcast algorithms and RBS over multicast on a dual-stack LAN, checkers green', async () => {
    const lab = createNetns6Lab(3, { ipv4: true })
    const dir = mkdtempSync(join(tmpdir(), 'clocklab-netns-mc-'))
    const env = { CLOCKLAB_LAB_PASSPHRASE: 'multicast integration passphrase' }
    const common = lanFlags(lab, 'mclab', dir, ['--broadcast', 'multicast'])
    try {
      const joins = await joinEach(lab, common, env)
      const peers = clocklabProc(
        ['lan', 'peers', '--json', '--wait', '800', ...common(8)],
        inNs(lab, 0),
        env,
      )
      expect(await peers.exited, peers.lines.join('\n')).toBe(0)
      type Seen = { name: string; address: string; addresses: { ipv4?: string; ipv6?: string } }
      const seen = (JSON.parse(peers.lines.join('\n')) as Seen[]).sort((a, b) =>
        a.name < b.name ? -1 : 1,
      )
      expect(seen.map((m) => m.name)).toEqual(['ws0', 'ws1', 'ws2'])
      for (const [k, m] of seen.entries())
        expect(m).toMatchObject({
          address: lab.hosts[k].address,
          addresses: { ipv4: lab.hosts[k].address, ipv6: lab.hosts[k].address6 },
        })
      const runs: [string, string[], RegExp][] = [
        ['total-order-lamport', ['--duration', '2000', '--rate', '8'], /ok {3}total-order/],
        ['causal-broadcast', ['--duration', '2000', '--rate', '8'], /ok {3}causal-order/],
        ['fifo-broadcast', ['--duration', '2000', '--rate', '8'], /ok {3}fifo-order/],
        ['rbs', ['--duration', '2000', '-p', 'period-ms=100'], /events merged/],
      ]
      for (const [algorithm, extra, verdict] of runs)
        expect(await runChecked(lab, 0, algorithm, extra, common(9), env)).toMatch(verdict)
      // The joins report how their broadcasts went (totals since joining): by multicast, none lost.
      const reports = (p: (typeof joins)[number]) =>
        p.lines.filter((l) => l.startsWith('broadcast '))
      while (joins.some((p) => reports(p).length < runs.length))
        await new Promise((r) => setTimeout(r, 20))
      const last = joins.map((p) => p.lines.filter((l) => l.startsWith('broadcast ')).at(-1) ?? '')
      const multicasts = last.map((l) => Number(/ (\d+) multicast datagrams/.exec(l)?.[1]))
      console.log(
        `multicast datagrams per node over the ${runs.length} runs: ${multicasts.join(' ')}`,
      )
      for (const n of multicasts) expect(n).toBeGreaterThan(20)
      for (const l of last) expect(l).toMatch(/lost 0$/)
    } finally {
      await stopAll()
      lab.destroy()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

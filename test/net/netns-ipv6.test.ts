// IPv6 discovery across network namespaces: three hosts on a bridge with IPv6 only
// (ULA addresses, IPv4 removed), a real `clocklab lan join` in each. They find each
// other over the IPv6 multicast group, a peer with the wrong passphrase stays
// invisible, and an experiment runs over IPv6 unicast with its checkers green.
// Skipped, with the reason, only where namespaces cannot be created.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { netnsUnavailable } from './netns'
import { inNs, lanFlags, runChecked } from './netns-cli'
import { createNetns6Lab } from './netns6'
import { clocklabProc, stopAll } from './processes'

const unavailable = netnsUnavailable()
if (unavailable !== undefined) console.log(`netns IPv6 suite skipped: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('live lab over IPv6 in network namespaces', () => {
  it('discovers three peers over IPv6 only; a wrong passphrase stays invisible; runs an experiment', async () => {
    const lab = createNetns6Lab(3, { ipv4: false })
    const dir = mkdtempSync(join(tmpdir(), 'clocklab-netns6-'))
    const env = { CLOCKLAB_LAB_PASSPHRASE: 'ipv6 integration passphrase' }
    const common = lanFlags(lab, 'v6lab', dir)
    try {
      const joins = lab.hosts.map((_, k) =>
        clocklabProc(['lan', 'join', '--name', `ws${k}`, ...common(k)], inNs(lab, k), env),
      )
      const stranger = clocklabProc(
        ['lan', 'join', '--name', 'stranger', ...common(7)],
        inNs(lab, 1),
        {
          CLOCKLAB_LAB_PASSPHRASE: 'not the passphrase',
        },
      )
      await Promise.all([...joins, stranger].map((p) => p.line(/^joined lab/)))
      // Each sees the two others, at their IPv6 (ULA) addresses.
      for (const [k, p] of joins.entries())
        for (const other of [0, 1, 2].filter((x) => x !== k)) {
          const line = await p.line(new RegExp(`^peer join ws${other} `))
          expect(line).toContain(`${lab.hosts[other].address6}:`)
        }
      const peers = clocklabProc(
        ['lan', 'peers', '--json', '--wait', '600', ...common(8)],
        inNs(lab, 0),
        env,
      )
      expect(await peers.exited, peers.lines.join('\n')).toBe(0)
      const seen = JSON.parse(peers.lines.join('\n')) as { name: string; address: string }[]
      expect(seen.map((m) => m.name).sort()).toEqual(['ws0', 'ws1', 'ws2'])
      for (const m of seen) expect(m.address).toMatch(/^fd00:c10c::/)
      // An experiment over IPv6 unicast (the stranger, in no one's view, takes no part).
      const output = await runChecked(
        lab,
        2,
        'ricart-agrawala',
        ['--duration', '1500', '--rate', '8'],
        common(9),
        env,
      )
      expect(output).toMatch(/ok {3}mutual-exclusion/)
      // The stranger saw no one, and no one saw it.
      for (const p of joins) expect(p.lines.join('\n')).not.toMatch(/stranger/)
      expect(stranger.lines.filter((l) => l.startsWith('peer '))).toEqual([])
    } finally {
      await stopAll()
      lab.destroy()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

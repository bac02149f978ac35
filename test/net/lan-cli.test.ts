// `clocklab lan`: each subcommand documents itself, and bad input gets one line and exit 2.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../cli/run-cli'

function clocklab(args: string[], passphrase = '') {
  const r = spawnSync(process.execPath, ['bin/clocklab.mjs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CLOCKLAB_LAB_PASSPHRASE: passphrase },
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('clocklab lan', () => {
  it('documents join, peers and run with --help', () => {
    for (const sub of ['join', 'peers', 'run']) {
      const r = clocklab(['lan', sub, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/--lab <name>/)
      expect(r.stdout).toMatch(/--passphrase-file <file>/)
    }
    expect(clocklab(['lan', 'run', '--help']).stdout).toMatch(/--duration <ms>/)
  })

  it('refuses to join without a passphrase, with an unknown interface or algorithm', () => {
    const cases: [string[], RegExp, string?][] = [
      [['lan', 'peers', '--lab', 'x'], /no lab passphrase/],
      [['lan', 'peers', '--lab', 'x', '--passphrase-file', '/nonexistent'], /no such file/],
      [['lan', 'run', 'no-such-algorithm', '--lab', 'x'], /unknown algorithm 'no-such-algorithm'/],
      [['lan', 'peers', '--lab', 'bad name!'], /lab name/, 'a good passphrase'],
      [['lan', 'run', 'bully', '--lab', 'x', '--link', '0-1:drop=2'], /--link.*drop/],
      [['lan', 'run', 'bully', '--lab', 'x', '--link', '0-0:cut=out'], /FROM-TO/],
      [
        ['lan', 'peers', '--lab', 'x', '--iface', 'nosuch0'],
        /--iface nosuch0/,
        'a good passphrase',
      ],
    ]
    for (const [args, message, passphrase] of cases) {
      const r = clocklab(args, passphrase)
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(message)
    }
  })
})

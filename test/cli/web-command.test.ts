// `clocklab web`: its help, and bad flags rejected in one line with exit code 2 before
// anything is built or served. (The server itself: test/lab/web-server.test.ts, test/e2e.)
import { describe, expect, it } from 'vitest'
import { clocklab } from './run-cli'

describe('clocklab web', () => {
  it('explains itself', () => {
    const r = clocklab(['web', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/--port <port>/)
    expect(r.stdout).toMatch(/--bind <address>/)
    expect(r.stdout).toMatch(/token/)
  })

  it.each([
    [['--port', 'eighty'], /^clocklab: .*--port <port>.*expected a port number/],
    [['--port', '70000'], /expected a port number, 0 to 65535/],
    [['--bind', '203.0.113.7'], /^clocklab: --bind 203\.0\.113\.7: not an address of this machine/],
  ])('rejects %j in one line, exit 2', (flags, message) => {
    const r = clocklab(['web', ...flags])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stdout).toBe('')
  })
})

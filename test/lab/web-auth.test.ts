// Who may use `clocklab web`: loopback addresses, Host and Origin checks, and the token.
import { describe, expect, it } from 'vitest'
import {
  hostAllowed,
  isLoopback,
  newToken,
  originAllowed,
  tokenMatches,
} from '../../src/lab/web-auth'

describe('web access rules', () => {
  it('knows the loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopback(a), a).toBe(true)
    for (const a of ['0.0.0.0', '192.168.1.20', '::', 'example.com', '128.0.0.1'])
      expect(isLoopback(a), a).toBe(false)
  })

  it('on a loopback bind, answers only to loopback host names (no DNS rebinding)', () => {
    expect(hostAllowed('127.0.0.1:4780', true)).toBe(true)
    expect(hostAllowed('localhost:4780', true)).toBe(true)
    expect(hostAllowed('[::1]:4780', true)).toBe(true)
    expect(hostAllowed('evil.example:4780', true)).toBe(false)
    expect(hostAllowed(undefined, true)).toBe(false)
    expect(hostAllowed('lab-pi.local:4780', false)).toBe(true)
  })

  it('accepts a WebSocket only from the page it serves', () => {
    expect(originAllowed('http://127.0.0.1:4780', '127.0.0.1:4780')).toBe(true)
    expect(originAllowed('http://127.0.0.1:4781', '127.0.0.1:4780')).toBe(false)
    expect(originAllowed('https://127.0.0.1:4780', '127.0.0.1:4780')).toBe(false)
    expect(originAllowed('http://evil.example', '127.0.0.1:4780')).toBe(false)
    expect(originAllowed(undefined, '127.0.0.1:4780')).toBe(false)
    expect(originAllowed('null', '127.0.0.1:4780')).toBe(false)
  })

  it('makes distinct 128-bit tokens and matches only the exact token', () => {
    const a = newToken()
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(newToken()).not.toBe(a)
    expect(tokenMatches(a, a)).toBe(true)
    expect(tokenMatches(a.slice(0, -1), a)).toBe(false)
    expect(tokenMatches(a + '0', a)).toBe(false)
    expect(tokenMatches('', a)).toBe(false)
  })
})

// Who may use `clocklab web`: on a loopback address only this machine can connect, so no
// token is needed (but the Host and Origin headers are checked, against DNS rebinding and
// cross-site pages); any other address needs the token printed at start.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'

export function isLoopback(address: string): boolean {
  const host = address.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (host === 'localhost' || host === '::1') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return /^::ffff:127\./.test(host)
}

/** A fresh token: 128 random bits, as hex. */
export function newToken(): string {
  return randomBytes(16).toString('hex')
}

/** Compares in constant time: both sides are hashed first, so lengths never leak either. */
export function tokenMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(digest(given), digest(expected))
}

/** The host part of a Host header ("127.0.0.1:4780", "[::1]:4780"). */
function hostOf(hostHeader: string): string {
  const bracketed = /^\[([^\]]*)\]/.exec(hostHeader)
  if (bracketed) return bracketed[1]
  return hostHeader.replace(/:\d+$/, '')
}

/**
 * Whether a request's Host header is acceptable: on a loopback bind it must name a loopback
 * host, so a page that rebinds its own domain name to 127.0.0.1 is refused.
 */
export function hostAllowed(hostHeader: string | undefined, loopbackOnly: boolean): boolean {
  if (hostHeader === undefined) return false
  return !loopbackOnly || isLoopback(hostOf(hostHeader))
}

/** Whether a WebSocket's Origin is the page this server serves (same scheme, host, port). */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined || hostHeader === undefined) return false
  try {
    const url = new URL(origin)
    return url.protocol === 'http:' && url.host === new URL(`http://${hostHeader}`).host
  } catch {
    return false
  }
}

// Precise timestamps for Node's UDP sockets, as chrony takes them. Receive: the kernel's
// timestamp of the datagram's arrival (SIOCGSTAMPNS) instead of the moment Node's event loop
// hands it to JavaScript, tens of microseconds later under load. Send: sendto(2) straight on
// the socket's descriptor right after the transmit time is read, instead of Node's send path,
// which takes tens of microseconds before the datagram leaves. Where the platform or the
// socket does not allow either, preciseUdp() returns undefined and callers use Node's own.
// A client may also ask for the kernel's transmit timestamps (SO_TIMESTAMPING, Linux): the
// time the datagram went to the device, read back from the socket's error queue after the
// send, so the send path's latency no longer counts in T1 (chrony's clients do the same).
// The kernel's timestamps are on its REALTIME clock: a platform whose wall clock is another
// one must not offer them.
import type { Socket } from 'node:dgram'
import { isIPv4 } from 'node:net'
import { localClocks, type Clocks } from './clocks'
import type { Timespec } from './native/index'

export interface PreciseUdp {
  /** Kernel receive time of the datagram just delivered, into `out`; call it in 'message'. */
  rxInto(out: Timespec): boolean
  /** The same as Unix ns. */
  rxTime(): bigint | undefined
  /** Sends now: to the connected peer, or to address:port (IPv4). False if it could not. */
  send(data: Buffer, port?: number, address?: string): boolean
  /** Whether the kernel stamps the datagrams this socket sends (asked for, and offered). */
  readonly txStamping: boolean
  /**
   * The kernel's transmit time (Unix ns) of the newest datagram sent, not before
   * `notBeforeNs`; tries `attempts` times (the stamp can come just after sendto returns).
   */
  txTime(notBeforeNs: bigint, attempts?: number): bigint | undefined
}

export interface PreciseUdpOptions {
  /** Ask the kernel for transmit timestamps where it has them (default false). */
  txTimestamps?: boolean
}

/** Tries for a transmit stamp right after a send: each costs a few µs. */
const TX_ATTEMPTS = 20

/**
 * The OS file descriptor behind a bound dgram socket. Node keeps its handle in an internal
 * state object (the public `_handle` getter is deprecated); undefined where there is none.
 */
function socketFd(socket: Socket): number | undefined {
  for (const key of Object.getOwnPropertySymbols(socket)) {
    const state = (socket as unknown as Record<symbol, unknown>)[key]
    if (typeof state === 'object' && state !== null && 'handle' in state) {
      const fd = (state.handle as { fd?: unknown } | null)?.fd
      return typeof fd === 'number' && fd >= 0 ? fd : undefined
    }
  }
  return undefined
}

const AF_INET = 2
/** sockaddr_in for the last few peers (a server answers the same clients again and again). */
const MAX_CACHED = 4096

export function preciseUdp(
  socket: Socket,
  clocks: Clocks = localClocks(),
  options: PreciseUdpOptions = {},
): PreciseUdp | undefined {
  const rx = clocks.platform.socketRxTimestamp
  const tx = clocks.platform.socketSend
  const stamps = clocks.platform.socketTxTimestamps
  const fd = socketFd(socket)
  if (!rx.ok || !tx.ok || fd === undefined) return undefined
  const ts: Timespec = { sec: 0, nsec: 0 }
  // The first request switches timestamping on for the socket (and finds no packet yet).
  rx.value(fd, ts)
  const txStamping = options.txTimestamps === true && stamps.ok && stamps.value.enable(fd)
  const sent: Timespec = { sec: 0, nsec: 0 }
  const addresses = new Map<string, Buffer>()
  const sockaddr = (address: string, port: number): Buffer | undefined => {
    const key = `${address}:${port}`
    let sa = addresses.get(key)
    if (sa === undefined) {
      if (!isIPv4(address)) return undefined
      if (addresses.size >= MAX_CACHED) addresses.clear()
      sa = Buffer.alloc(16)
      sa.writeUInt16LE(AF_INET, 0)
      sa.writeUInt16BE(port, 2)
      address.split('.').forEach((part, i) => (sa![4 + i] = Number(part)))
      addresses.set(key, sa)
    }
    return sa
  }
  return {
    rxInto: (out) => rx.value(fd, out),
    rxTime: () =>
      rx.value(fd, ts) ? BigInt(ts.sec) * 1_000_000_000n + BigInt(ts.nsec) : undefined,
    send(data, port, address) {
      if (port === undefined || address === undefined) return tx.value(fd, data, null)
      const sa = sockaddr(address, port)
      return sa !== undefined && tx.value(fd, data, sa)
    },
    txStamping,
    txTime(notBeforeNs, attempts = TX_ATTEMPTS) {
      if (!txStamping || !stamps.ok) return undefined
      for (let i = 0; i < attempts; i++) {
        if (stamps.value.take(fd, sent) === 0) continue
        const ns = BigInt(sent.sec) * 1_000_000_000n + BigInt(sent.nsec)
        // Older stamps (an earlier datagram's that came late) were taken and are dropped.
        if (ns >= notBeforeNs) return ns
      }
      return undefined
    },
  }
}

// Lab keys: a lab is a name and a passphrase. scrypt stretches the passphrase
// (salt: a fixed label plus the lab name, so two labs with one passphrase still
// get different keys), then HKDF splits the result into the HMAC key and the
// public lab id that lets a node ignore other labs' datagrams before any MAC work.
import { createHash, hkdfSync, scryptSync } from 'node:crypto'
import { InputError } from '../core/errors'

export interface LabKeys {
  readonly lab: string
  /** 32-byte HMAC-SHA256 key. */
  readonly macKey: Buffer
  /** 8 bytes on every datagram: who is in which lab (not secret). */
  readonly labId: Buffer
}

/** scrypt cost: 2^14 × 8 × 128 B = 16 MiB and ~50 ms once per join, a brake on guessing. */
const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }

const cache = new Map<string, LabKeys>()

export function deriveLabKeys(lab: string, passphrase: string): LabKeys {
  if (!/^[\w.-]{1,64}$/.test(lab))
    throw new InputError(`lab name '${lab}': 1 to 64 letters, digits, '.', '_' or '-'`)
  if (passphrase.length < 8) throw new InputError('lab passphrase: at least 8 characters')
  const cacheKey = createHash('sha256').update(lab).update('\0').update(passphrase).digest('hex')
  const hit = cache.get(cacheKey)
  if (hit) return hit
  const salt = Buffer.from(`clocklab/lan/v1/lab:${lab}`, 'utf8')
  const master = scryptSync(passphrase.normalize('NFC'), salt, 32, SCRYPT)
  const macKey = Buffer.from(hkdfSync('sha256', master, salt, 'clocklab mac', 32))
  const labId = Buffer.from(hkdfSync('sha256', master, salt, 'clocklab lab id', 8))
  const keys = { lab, macKey, labId }
  cache.set(cacheKey, keys)
  return keys
}

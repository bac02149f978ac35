// What an NTP server under test says about its synchronization when the test does not care:
// synchronized at a given stratum, reference 192.0.2.1 (a documentation address), no root
// delay or dispersion.
import type { ServerReference } from '../../src/time/ntp/server'

export const syncedReference = (stratum: number): ServerReference => ({
  leap: 0,
  stratum,
  referenceId: 0xc0000201,
  referenceTimestamp: 1n << 32n,
  rootDelay: 0,
  rootDispersion: 0,
})

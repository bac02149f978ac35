// Vitest global setup: the integration tests talk to real programs (chrony, gpsd,
// socat, tshark, Chromium, ip). Where some are missing, say once, before the run,
// which packages to install, instead of leaving a "spawn ... ENOENT" per test.
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** Program -> the Debian package that provides it (the list .ci/run installs). */
const TOOLS: Record<string, string> = {
  chronyd: 'chrony',
  chronyc: 'chrony',
  gpsd: 'gpsd',
  gpsfake: 'gpsd-clients',
  socat: 'socat',
  tshark: 'tshark',
  chromium: 'chromium',
  ip: 'iproute2',
}

function onPath(program: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

export default function setup(): void {
  const missing = Object.keys(TOOLS).filter((program) => !onPath(program))
  if (missing.length === 0) return
  const packages = [...new Set(missing.map((program) => TOOLS[program]))].join(' ')
  process.stderr.write(
    `\nclocklab tests: ${missing.join(', ')} not found; the integration tests that use them will fail.\n` +
      `Install them with: apt-get install ${packages}   (bash .ci/run does this on Debian)\n\n`,
  )
}

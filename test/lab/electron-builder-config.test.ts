// The packaging config (electron-builder.yml; electron-builder itself is not installed here):
// the native code the engine loads (koffi's prebuilt koffi.node, in per-platform packages
// since koffi 3, and serialport's N-API bindings) is kept out of the asar archive, where
// Electron could not load it, and native dependencies are handled for Electron at build time.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const config = parse(
  readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8'),
) as {
  asarUnpack?: string[]
  npmRebuild?: boolean
  files?: string[]
}

/** An electron-builder glob (**, *) as a regular expression over a relative path. */
function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let k = 0; k < glob.length; k++) {
    const c = glob[k]
    if (glob.startsWith('**/', k)) {
      re += '(?:.*/)?'
      k += 2
    } else if (glob.startsWith('**', k)) {
      re += '.*'
      k += 1
    } else if (c === '*') re += '[^/]*'
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

const unpacked = (file: string) =>
  (config.asarUnpack ?? []).some((glob) => globToRegExp(glob).test(file))

describe('electron-builder.yml', () => {
  it.each([
    'node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node',
    'node_modules/@koromix/koffi-win32-x64/win32_x64/koffi.node',
    'node_modules/@koromix/koffi-darwin-arm64/darwin_arm64/koffi.node',
    'node_modules/@serialport/bindings-cpp/prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node',
    'node_modules/@serialport/bindings-cpp/prebuilds/win32-x64/@serialport+bindings-cpp.node',
  ])('unpacks %s from the asar archive', (file) => {
    expect(unpacked(file)).toBe(true)
  })

  it('keeps the app’s own code in the archive', () => {
    expect(unpacked('out/main/index.js')).toBe(false)
    expect(unpacked('out/renderer/index.html')).toBe(false)
  })

  it('handles native dependencies for Electron when packaging', () => {
    expect(config.npmRebuild).toBe(true)
    expect(config.files).toEqual(expect.arrayContaining(['out/**', 'resources/nmea/**']))
  })
})

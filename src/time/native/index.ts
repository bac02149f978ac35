// Picks the binding for this operating system and falls back to plain Node when koffi or a
// symbol is missing, so the app still runs and can say which clocks it lacks and why.
// CLOCKLAB_NATIVE=off forces the fallback (to see what a machine without the binding shows).
import { darwinTime } from './darwin'
import { fallbackTime } from './fallback'
import { linuxTime } from './linux'
import type { PlatformTime } from './types'
import { windowsTime } from './windows'

const BINDINGS: Partial<Record<NodeJS.Platform, () => PlatformTime>> = {
  linux: linuxTime,
  darwin: darwinTime,
  win32: windowsTime,
}

export function loadPlatformTime(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): PlatformTime {
  if (env.CLOCKLAB_NATIVE === 'off') return fallbackTime('CLOCKLAB_NATIVE=off')
  const binding = BINDINGS[platform]
  if (binding === undefined) return fallbackTime(`no binding for ${platform}`)
  try {
    return binding()
  } catch (err) {
    return fallbackTime(`native clocks failed to load: ${(err as Error).message.split('\n')[0]}`)
  }
}

let loaded: PlatformTime | undefined

/** The process-wide binding, loaded on first use. */
export function platformTime(): PlatformTime {
  loaded ??= loadPlatformTime()
  return loaded
}

export * from './types'

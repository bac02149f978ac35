// gpsd's JSON protocol, one object per line: the classes a time source needs (VERSION,
// DEVICES, DEVICE, WATCH, TPV, SKY, PPS, TOFF, ERROR) checked field by field into typed messages;
// other classes pass as "other". Anything malformed becomes a GpsdError with a code.
import { TimeInputError } from '../errors'

/** gpsd's longest reports (SKY with many satellites) stay well below this. */
export const GPSD_MAX_LINE = 16384

export type GpsdCode = 'too-long' | 'not-json' | 'not-object' | 'no-class' | 'bad-field'

export class GpsdError extends TimeInputError<GpsdCode> {
  override readonly name = 'GpsdError'
}

export type GpsdMessage =
  | { class: 'VERSION'; release: string; protoMajor: number; protoMinor: number }
  | { class: 'DEVICES'; devices: string[] }
  /** One device appearing (activated) or going away. */
  | { class: 'DEVICE'; path: string; active: boolean }
  | { class: 'WATCH'; enable: boolean }
  | {
      class: 'TPV'
      device?: string
      /** 0 unknown, 1 no fix, 2 2D, 3 3D. */
      mode: number
      /** The fix's UTC time, ns since the Unix epoch. */
      timeNs?: bigint
      /** Estimated time error, s. */
      ept?: number
      lat?: number
      lon?: number
    }
  | { class: 'SKY'; device?: string; seen: number; used: number }
  | {
      class: 'PPS' | 'TOFF'
      device?: string
      /** Reference (GPS) time and the system clock at the same edge or sentence, ns. */
      realNs: bigint
      clockNs: bigint
      precision?: number
    }
  | { class: 'ERROR'; message: string }
  | { class: 'other'; name: string }

const fail = (code: GpsdCode, message: string): never => {
  throw new GpsdError(code, message)
}

type Json = Record<string, unknown>

function field<T>(o: Json, name: string, check: (v: unknown) => v is T, what: string): T {
  const v = o[name]
  if (!check(v)) fail('bad-field', `${String(o.class)}.${name} should be ${what}`)
  return v as T
}

function optional<T>(
  o: Json,
  name: string,
  check: (v: unknown) => v is T,
  what: string,
): T | undefined {
  return o[name] === undefined ? undefined : field(o, name, check, what)
}

const isString = (v: unknown): v is string => typeof v === 'string'
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean'
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isInteger = (v: unknown): v is number => Number.isSafeInteger(v)
const isNanos = (v: unknown): v is number => isInteger(v) && v >= 0 && v < 1e9
const isSeconds = (v: unknown): v is number => isInteger(v) && v >= 0
const isArray = (v: unknown): v is unknown[] => Array.isArray(v)
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$/

/** gpsd's ISO 8601 UTC time ("2024-05-01T12:00:00.000Z") as Unix ns. */
export function parseGpsdTime(text: string): bigint {
  const m = ISO.exec(text)
  if (m === null) return fail('bad-field', `TPV.time '${text.slice(0, 40)}' is not ISO 8601 UTC`)
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number)
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    hour > 23 ||
    minute > 59 ||
    second > 60
  )
    fail('bad-field', `TPV.time '${text}' does not exist`)
  // A leap second (:60) reads as the first second of the next minute, as POSIX time has it.
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  return BigInt(ms) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0'))
}

export function parseGpsdMessage(line: string): GpsdMessage {
  if (line.length > GPSD_MAX_LINE) fail('too-long', `line of ${line.length} characters`)
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return fail('not-json', `not JSON: ${line.slice(0, 40)}`)
  }
  if (!isObject(value)) return fail('not-object', 'a gpsd report is a JSON object')
  const o = value
  if (!isString(o.class)) return fail('no-class', 'no "class" string')
  switch (o.class) {
    case 'VERSION':
      return {
        class: 'VERSION',
        release: field(o, 'release', isString, 'a string'),
        protoMajor: field(o, 'proto_major', isInteger, 'an integer'),
        protoMinor: field(o, 'proto_minor', isInteger, 'an integer'),
      }
    case 'DEVICES':
      return {
        class: 'DEVICES',
        devices: field(o, 'devices', isArray, 'an array').map((d) =>
          isObject(d) && isString(d.path)
            ? d.path
            : fail('bad-field', 'DEVICES.devices[].path should be a string'),
        ),
      }
    case 'DEVICE':
      return {
        class: 'DEVICE',
        path: field(o, 'path', isString, 'a string'),
        active: o.deactivated === undefined,
      }
    case 'WATCH':
      return { class: 'WATCH', enable: optional(o, 'enable', isBoolean, 'a boolean') ?? true }
    case 'TPV': {
      const mode = field(o, 'mode', isInteger, 'an integer')
      if (mode < 0 || mode > 3) fail('bad-field', `TPV.mode ${mode} is not 0..3`)
      const time = optional(o, 'time', isString, 'a string')
      const device = optional(o, 'device', isString, 'a string')
      const ept = optional(o, 'ept', isNumber, 'a number')
      const lat = optional(o, 'lat', isNumber, 'a number')
      const lon = optional(o, 'lon', isNumber, 'a number')
      return {
        class: 'TPV',
        mode,
        ...(device !== undefined ? { device } : {}),
        ...(time !== undefined ? { timeNs: parseGpsdTime(time) } : {}),
        ...(ept !== undefined ? { ept } : {}),
        ...(lat !== undefined ? { lat } : {}),
        ...(lon !== undefined ? { lon } : {}),
      }
    }
    case 'SKY': {
      const satellites = optional(o, 'satellites', isArray, 'an array') ?? []
      const used = satellites.filter((s) =>
        isObject(s) ? s.used === true : fail('bad-field', 'SKY.satellites[] should be objects'),
      ).length
      const device = optional(o, 'device', isString, 'a string')
      return {
        class: 'SKY',
        ...(device !== undefined ? { device } : {}),
        seen: optional(o, 'nSat', isInteger, 'an integer') ?? satellites.length,
        used: optional(o, 'uSat', isInteger, 'an integer') ?? used,
      }
    }
    case 'PPS':
    case 'TOFF': {
      const ns = (sec: string, nsec: string): bigint =>
        BigInt(field(o, sec, isSeconds, 'whole seconds')) * 1_000_000_000n +
        BigInt(field(o, nsec, isNanos, 'nanoseconds 0..999999999'))
      const device = optional(o, 'device', isString, 'a string')
      const precision = optional(o, 'precision', isInteger, 'an integer')
      return {
        class: o.class,
        ...(device !== undefined ? { device } : {}),
        realNs: ns('real_sec', 'real_nsec'),
        clockNs: ns('clock_sec', 'clock_nsec'),
        ...(precision !== undefined ? { precision } : {}),
      }
    }
    case 'ERROR':
      return { class: 'ERROR', message: field(o, 'message', isString, 'a string') }
    default:
      return { class: 'other', name: o.class }
  }
}

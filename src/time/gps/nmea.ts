// NMEA 0183 sentences as GPS receivers send them: framing ($, printable ASCII, *hh checksum:
// XOR of the bytes between $ and *), the address (talker GP/GN/GL/GA/BD... and type), and
// the three sentences that carry time: RMC (time, date, fix status), ZDA (time, date) and GGA
// (time, fix quality, satellites). Every field is checked; anything malformed becomes an
// NmeaError with a code. Other sentences (GSV, GSA, VTG, proprietary $P...) are recognised
// and passed over.
import { TimeInputError } from '../errors'

/** NMEA's limit is 82 characters including $ and CRLF; we allow 82 before the CRLF. */
export const NMEA_MAX_LENGTH = 82

export type NmeaCode =
  | 'empty'
  | 'too-long'
  | 'no-start'
  | 'bad-char'
  | 'no-checksum'
  | 'bad-checksum'
  | 'bad-address'
  | 'missing-fields'
  | 'bad-field'

export class NmeaError extends TimeInputError<NmeaCode> {
  override readonly name = 'NmeaError'
}

export interface TimeOfDay {
  hour: number
  minute: number
  /** 0..60 (60 during a leap second). */
  second: number
  /** Fraction of the second in ns. */
  nanos: number
}

export interface DateParts {
  year: number
  month: number
  day: number
}

/** GGA fix quality indicator. */
export const FIX_QUALITY = [
  'no fix',
  'GPS',
  'DGPS',
  'PPS',
  'RTK fixed',
  'RTK float',
  'dead reckoning',
  'manual',
  'simulation',
] as const

interface Base {
  talker: string
}

export interface RmcSentence extends Base {
  type: 'RMC'
  time: TimeOfDay | null
  /** Status A (valid) or V (warning). */
  valid: boolean
  date: DateParts | null
  latitude: number | null
  longitude: number | null
  speedKnots: number | null
  courseDegrees: number | null
  /** NMEA 2.3+ mode indicator: A autonomous, D differential, E estimated, N not valid... */
  mode: string | null
}

export interface GgaSentence extends Base {
  type: 'GGA'
  time: TimeOfDay | null
  /** 0 = no fix ... 8 = simulation (FIX_QUALITY). */
  quality: number
  satellites: number | null
  hdop: number | null
  latitude: number | null
  longitude: number | null
  altitudeMeters: number | null
}

export interface ZdaSentence extends Base {
  type: 'ZDA'
  time: TimeOfDay | null
  date: DateParts | null
  /** Local zone offset the receiver reports (usually 0). */
  zoneHours: number | null
  zoneMinutes: number | null
}

export interface OtherSentence extends Base {
  type: 'other'
  /** The sentence formatter, e.g. GSV; "P" plus the maker's code for proprietary sentences. */
  formatter: string
}

export type NmeaSentence = RmcSentence | GgaSentence | ZdaSentence | OtherSentence

const fail = (code: NmeaCode, message: string): never => {
  throw new NmeaError(code, message)
}

const HEX = '0123456789ABCDEF'

/** The checksum of a sentence body (the bytes between $ and *), as two hex digits. */
export function nmeaChecksum(body: string): string {
  let sum = 0
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i)
  return HEX[sum >> 4] + HEX[sum & 15]
}

/** A sentence body framed with $, checksum and CRLF. */
export function nmeaFrame(body: string): string {
  return `$${body}*${nmeaChecksum(body)}\r\n`
}

/** Parses one line (with or without its CR/LF). Throws NmeaError. */
export function parseNmea(line: string): NmeaSentence {
  let end = line.length
  while (end > 0 && (line.charCodeAt(end - 1) === 10 || line.charCodeAt(end - 1) === 13)) end--
  if (end === 0) fail('empty', 'empty line')
  if (end > NMEA_MAX_LENGTH) fail('too-long', `sentence of ${end} characters`)
  if (line[0] !== '$') fail('no-start', 'a sentence starts with $')
  for (let i = 1; i < end; i++) {
    const c = line.charCodeAt(i)
    if (c < 0x20 || c > 0x7e || c === 0x24) fail('bad-char', `character code ${c} at ${i}`)
  }
  const star = line.lastIndexOf('*', end - 1)
  if (star < 0 || star !== end - 3) fail('no-checksum', 'no *hh checksum at the end')
  const given = line.slice(star + 1, end).toUpperCase()
  if (!/^[0-9A-F]{2}$/.test(given)) fail('no-checksum', `checksum '${given}' is not two hex digits`)
  const body = line.slice(1, star)
  const expected = nmeaChecksum(body)
  if (given !== expected) fail('bad-checksum', `checksum ${given}, computed ${expected}`)
  const fields = body.split(',')
  const address = fields[0]
  if (/^P[A-Z0-9]{1,9}$/.test(address)) return { type: 'other', talker: 'P', formatter: address }
  if (!/^[A-Z]{2}[A-Z0-9]{3}$/.test(address)) fail('bad-address', `address field '${address}'`)
  const talker = address.slice(0, 2)
  const formatter = address.slice(2)
  switch (formatter) {
    case 'RMC':
      return parseRmc(talker, fields)
    case 'GGA':
      return parseGga(talker, fields)
    case 'ZDA':
      return parseZda(talker, fields)
    default:
      return { type: 'other', talker, formatter }
  }
}

function need(fields: string[], count: number, type: string): void {
  if (fields.length < count)
    fail('missing-fields', `${type} with ${fields.length - 1} fields, needs ${count - 1}`)
}

function parseRmc(talker: string, f: string[]): RmcSentence {
  need(f, 12, 'RMC')
  const status = f[2]
  if (status !== 'A' && status !== 'V') fail('bad-field', `RMC status '${status}'`)
  const mode = f[12] ?? ''
  if (mode !== '' && !/^[ADEFMNPRS]$/.test(mode)) fail('bad-field', `RMC mode '${mode}'`)
  return {
    type: 'RMC',
    talker,
    time: timeField(f[1], 'RMC time'),
    valid: status === 'A',
    date: rmcDate(f[9]),
    latitude: coordinate(f[3], f[4], 'RMC latitude', 2, 90, 'N', 'S'),
    longitude: coordinate(f[5], f[6], 'RMC longitude', 3, 180, 'E', 'W'),
    speedKnots: decimal(f[7], 'RMC speed', 0, 100000),
    courseDegrees: decimal(f[8], 'RMC course', 0, 360),
    mode: mode === '' ? null : mode,
  }
}

function parseGga(talker: string, f: string[]): GgaSentence {
  need(f, 15, 'GGA')
  const quality = integer(f[6], 'GGA quality', 0, 8)
  if (quality === null) fail('bad-field', 'GGA quality is empty')
  return {
    type: 'GGA',
    talker,
    time: timeField(f[1], 'GGA time'),
    quality: quality as number,
    satellites: integer(f[7], 'GGA satellites', 0, 99),
    hdop: decimal(f[8], 'GGA HDOP', 0, 100),
    latitude: coordinate(f[2], f[3], 'GGA latitude', 2, 90, 'N', 'S'),
    longitude: coordinate(f[4], f[5], 'GGA longitude', 3, 180, 'E', 'W'),
    altitudeMeters: signedDecimal(f[9], 'GGA altitude', -20000, 1e6),
  }
}

function parseZda(talker: string, f: string[]): ZdaSentence {
  need(f, 7, 'ZDA')
  const day = integer(f[2], 'ZDA day', 1, 31)
  const month = integer(f[3], 'ZDA month', 1, 12)
  const year =
    f[4] === ''
      ? null
      : /^\d{4}$/.test(f[4])
        ? Number(f[4])
        : fail('bad-field', `ZDA year '${f[4]}'`)
  const parts = [day, month, year]
  if (parts.some((p) => p === null) && parts.some((p) => p !== null))
    fail('bad-field', 'ZDA date is partly empty')
  return {
    type: 'ZDA',
    talker,
    time: timeField(f[1], 'ZDA time'),
    date:
      year === null
        ? null
        : checkedDate(year as number, month as number, day as number, 'ZDA date'),
    zoneHours: signedInteger(f[5], 'ZDA zone hours', -13, 13),
    zoneMinutes: integer(f[6], 'ZDA zone minutes', 0, 59),
  }
}

/** hhmmss or hhmmss.s... */
function timeField(text: string, name: string): TimeOfDay | null {
  if (text === '') return null
  const m = /^(\d\d)(\d\d)(\d\d)(?:\.(\d{1,9}))?$/.exec(text)
  if (m === null) return fail('bad-field', `${name} '${text}'`)
  const hour = Number(m[1])
  const minute = Number(m[2])
  const second = Number(m[3])
  if (hour > 23 || minute > 59 || second > 60) fail('bad-field', `${name} '${text}' out of range`)
  return { hour, minute, second, nanos: m[4] === undefined ? 0 : Number(m[4].padEnd(9, '0')) }
}

/** ddmmyy; two-digit years are 1980-2079 (GPS began in 1980). */
function rmcDate(text: string): DateParts | null {
  if (text === '') return null
  const m = /^(\d\d)(\d\d)(\d\d)$/.exec(text)
  if (m === null) return fail('bad-field', `RMC date '${text}'`)
  const yy = Number(m[3])
  return checkedDate(yy < 80 ? 2000 + yy : 1900 + yy, Number(m[2]), Number(m[1]), 'RMC date')
}

function checkedDate(year: number, month: number, day: number, name: string): DateParts {
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth)
    fail('bad-field', `${name} ${year}-${month}-${day} does not exist`)
  return { year, month, day }
}

/** ddmm.mmmm / dddmm.mmmm with its hemisphere letter, as signed degrees. */
function coordinate(
  text: string,
  hemisphere: string,
  name: string,
  degreeDigits: number,
  limit: number,
  positive: string,
  negative: string,
): number | null {
  if (text === '' && hemisphere === '') return null
  const m = new RegExp(`^(\\d{${degreeDigits}})(\\d\\d(?:\\.\\d+)?)$`).exec(text)
  if (m === null) return fail('bad-field', `${name} '${text}'`)
  const minutes = Number(m[2])
  const degrees = Number(m[1]) + minutes / 60
  if (minutes >= 60 || degrees > limit) fail('bad-field', `${name} '${text}' out of range`)
  if (hemisphere !== positive && hemisphere !== negative)
    fail('bad-field', `${name} hemisphere '${hemisphere}'`)
  return hemisphere === negative ? -degrees : degrees
}

function decimal(text: string, name: string, min: number, max: number): number | null {
  if (text === '') return null
  if (!/^\d+(?:\.\d*)?$|^\.\d+$/.test(text)) return fail('bad-field', `${name} '${text}'`)
  return ranged(Number(text), name, min, max)
}

function signedDecimal(text: string, name: string, min: number, max: number): number | null {
  if (text === '') return null
  if (!/^-?(?:\d+(?:\.\d*)?|\.\d+)$/.test(text)) return fail('bad-field', `${name} '${text}'`)
  return ranged(Number(text), name, min, max)
}

function integer(text: string, name: string, min: number, max: number): number | null {
  if (text === '') return null
  if (!/^\d{1,3}$/.test(text)) return fail('bad-field', `${name} '${text}'`)
  return ranged(Number(text), name, min, max)
}

function signedInteger(text: string, name: string, min: number, max: number): number | null {
  if (text === '') return null
  if (!/^[-+]?\d{1,2}$/.test(text)) return fail('bad-field', `${name} '${text}'`)
  return ranged(Number(text), name, min, max)
}

function ranged(value: number, name: string, min: number, max: number): number {
  if (value < min || value > max) fail('bad-field', `${name} ${value} out of range`)
  return value
}

/** The instant a sentence names, as Unix ns (UTC). */
export function utcNs(date: DateParts, time: TimeOfDay): bigint {
  const ms = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute, time.second)
  return BigInt(ms) * 1_000_000n + BigInt(time.nanos)
}

// The hardware RTC through a fake sysfs tree (since_epoch, or date + time), through
// /dev/rtc0 with an injected RTC_RD_TIME reader, the real ioctl refusing a file that is not
// an RTC, and "no RTC visible" when there is neither.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readRtc } from '../../src/time/rtc'
import { tempDir } from './peers'

let dir: ReturnType<typeof tempDir>
afterEach(() => dir.remove())

function tree(files: Record<string, string>): string {
  dir = tempDir('rtc')
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir.path, path, '..'), { recursive: true })
    writeFileSync(join(dir.path, path), content)
  }
  return dir.path
}

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5)

describe('readRtc', () => {
  it('reads sysfs: time, driver name, hctosys and the offset from the wall clock', () => {
    const root = tree({
      'sys/class/rtc/rtc0/since_epoch': `${NOW / 1000 + 2}\n`,
      'sys/class/rtc/rtc0/name': 'rtc_cmos\n',
      'sys/class/rtc/rtc0/hctosys': '1\n',
    })
    expect(readRtc({ root, nowMs: () => NOW })).toEqual({
      visible: true,
      device: 'rtc0',
      via: 'sysfs',
      name: 'rtc_cmos',
      time: '2025-01-02T03:04:07.000Z',
      sinceEpoch: NOW / 1000 + 2,
      hctosys: true,
      offsetSeconds: 2,
    })
  })

  it('uses date and time where an old kernel has no since_epoch', () => {
    const root = tree({
      'sys/class/rtc/rtc0/date': '2025-01-02\n',
      'sys/class/rtc/rtc0/time': '03:04:00\n',
    })
    const r = readRtc({ root, nowMs: () => NOW })
    expect(r.visible && r.time).toBe('2025-01-02T03:04:00.000Z')
    expect(r.visible && r.offsetSeconds).toBe(-5)
  })

  it('says sysfs is unreadable when its files are garbage', () => {
    const root = tree({ 'sys/class/rtc/rtc0/since_epoch': 'soon\n' })
    const r = readRtc({ root })
    expect(r.visible).toBe(false)
    expect(!r.visible && r.reason).toMatch(/rtc0 is unreadable: no valid since_epoch/)
  })

  it('reads /dev/rtc0 with RTC_RD_TIME when there is no sysfs', () => {
    const root = tree({ 'dev/rtc0': '' })
    const r = readRtc({
      root,
      nowMs: () => NOW,
      readDevice: () => ({ year: 2025, month: 1, day: 2, hour: 3, minute: 4, second: 4 }),
    })
    expect(r).toMatchObject({
      visible: true,
      via: 'ioctl',
      time: '2025-01-02T03:04:04.000Z',
      offsetSeconds: -1,
    })
  })

  it('reports the ioctl failing on a file that is not an RTC (ENOTTY)', () => {
    const root = tree({ 'dev/rtc0': 'not a device' })
    const r = readRtc({ root })
    expect(r.visible).toBe(false)
    expect(!r.visible && r.reason).toMatch(/rtc0 is unreadable: RTC_RD_TIME failed \(errno 25\)/)
  })

  it('says "no RTC visible" when there is neither', () => {
    const root = tree({ 'sys/class/other': '' })
    const r = readRtc({ root })
    expect(r.visible).toBe(false)
    expect(!r.visible && r.reason).toMatch(/^no RTC visible \(no .*rtc0, no .*dev\/rtc0/)
  })
})

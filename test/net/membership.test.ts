// The membership view as a state machine, fed by hand: join, heartbeat, goodbye,
// crash by timeout and restart (a new boot of the same peer).
import { describe, expect, it } from 'vitest'
import { Membership } from '../../src/net/membership'

const hello = (id: string, epoch = 'aaaaaaaa') => ({
  id,
  name: `ws-${id}`,
  address: '10.0.0.1',
  port: 4000,
  epoch,
})

describe('membership', () => {
  it('reports a join once, keeps a member that beats, and crashes a silent one after the timeout', () => {
    const m = new Membership('self', 1000)
    expect(m.hello(hello('a'), 0).map((e) => e.kind)).toEqual(['join'])
    expect(m.hello(hello('a'), 400)).toEqual([])
    expect(m.hello(hello('self'), 400)).toEqual([])
    expect(m.tick(1400)).toEqual([])
    m.heard('a', 1300)
    expect(m.tick(2300)).toEqual([])
    const crashed = m.tick(2301)
    expect(crashed.map((e) => [e.kind, e.member.id])).toEqual([['crash', 'a']])
    expect(m.list()).toEqual([])
  })

  it('reports a goodbye as a leave, and ignores a goodbye from an older boot', () => {
    const m = new Membership('self', 1000)
    m.hello(hello('a', 'bbbbbbbb'), 0)
    expect(m.bye('a', 'aaaaaaaa')).toEqual([])
    expect(m.bye('a', 'bbbbbbbb').map((e) => e.kind)).toEqual(['leave'])
    expect(m.list()).toEqual([])
  })

  it('reports a new boot of a member as a restart, with its previous boot', () => {
    const m = new Membership('self', 1000)
    m.hello(hello('a', 'aaaaaaaa'), 0)
    const [e] = m.hello(hello('a', 'cccccccc'), 10)
    expect(e.kind).toBe('restart')
    expect(e.kind === 'restart' && e.previous.epoch).toBe('aaaaaaaa')
    expect(m.get('a')?.epoch).toBe('cccccccc')
  })
})

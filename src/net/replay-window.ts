// The anti-replay sliding window of RFC 4303 (IPsec ESP), per sender: the highest
// sequence number seen and a bitmap of the `size` numbers below it. A number left
// of the window or already marked is a replay. `check` only asks; `accept` marks,
// and is called once the datagram's MAC is verified (so forgeries cannot move it).
export class ReplayWindow {
  private top = -1
  private readonly bits: Uint32Array

  constructor(readonly size = 1024) {
    if (size % 32 !== 0 || size <= 0) throw new RangeError('window size: a positive multiple of 32')
    this.bits = new Uint32Array(size / 32)
  }

  /** Whether `seq` would be fresh (not a replay, not too old). */
  check(seq: number): boolean {
    if (seq > this.top) return true
    if (this.top - seq >= this.size) return false
    return !this.get(seq)
  }

  /** Marks `seq` seen, sliding the window forward if it is the new highest; false on a replay. */
  accept(seq: number): boolean {
    if (!this.check(seq)) return false
    if (seq > this.top) {
      const shift = this.top < 0 ? this.size : seq - this.top
      if (shift >= this.size) this.bits.fill(0)
      else for (let s = this.top + 1; s < seq; s++) this.clear(s)
      this.top = seq
    }
    this.set(seq)
    return true
  }

  private index(seq: number): [number, number] {
    const slot = seq % this.size
    return [slot >>> 5, 1 << (slot & 31)]
  }
  private get(seq: number): boolean {
    const [w, m] = this.index(seq)
    return (this.bits[w] & m) !== 0
  }
  private set(seq: number): void {
    const [w, m] = this.index(seq)
    this.bits[w] |= m
  }
  private clear(seq: number): void {
    const [w, m] = this.index(seq)
    this.bits[w] &= ~m
  }
}

// What the space-time diagram draws on: the part of the canvas 2D context it uses. A
// CanvasRenderingContext2D is one; SvgSurface is another, which turns the same drawing
// into an SVG document for export.
type Style = string | CanvasGradient | CanvasPattern

export interface Surface {
  strokeStyle: Style
  fillStyle: Style
  lineWidth: number
  font: string
  textAlign: CanvasTextAlign
  textBaseline: CanvasTextBaseline
  globalAlpha: number
  save(): void
  restore(): void
  beginPath(): void
  closePath(): void
  moveTo(x: number, y: number): void
  lineTo(x: number, y: number): void
  rect(x: number, y: number, w: number, h: number): void
  arc(x: number, y: number, r: number, start: number, end: number): void
  clip(): void
  stroke(): void
  fill(): void
  fillRect(x: number, y: number, w: number, h: number): void
  fillText(text: string, x: number, y: number): void
  setLineDash(segments: number[]): void
}

interface State {
  strokeStyle: Style
  fillStyle: Style
  lineWidth: number
  font: string
  textAlign: CanvasTextAlign
  textBaseline: CanvasTextBaseline
  globalAlpha: number
  dash: number[]
  /** Groups opened by clip() since the matching save(). */
  opened: number
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const num = (x: number): string => (Math.round(x * 100) / 100).toString()

/** A Surface that records SVG elements; `toString()` gives the document. */
export class SvgSurface implements Surface {
  strokeStyle: Style = '#000'
  fillStyle: Style = '#000'
  lineWidth = 1
  font = '10px sans-serif'
  textAlign: CanvasTextAlign = 'start'
  textBaseline: CanvasTextBaseline = 'alphabetic'
  globalAlpha = 1
  private dash: number[] = []
  private path: string[] = []
  private readonly out: string[] = []
  private readonly stack: State[] = []
  private opened = 0
  private clips = 0

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {}

  save(): void {
    this.stack.push({
      strokeStyle: this.strokeStyle,
      fillStyle: this.fillStyle,
      lineWidth: this.lineWidth,
      font: this.font,
      textAlign: this.textAlign,
      textBaseline: this.textBaseline,
      globalAlpha: this.globalAlpha,
      dash: this.dash,
      opened: this.opened,
    })
    this.opened = 0
  }
  restore(): void {
    const s = this.stack.pop()
    if (!s) return
    for (; this.opened > 0; this.opened--) this.out.push('</g>')
    ;({
      strokeStyle: this.strokeStyle,
      fillStyle: this.fillStyle,
      lineWidth: this.lineWidth,
      font: this.font,
      textAlign: this.textAlign,
      textBaseline: this.textBaseline,
      globalAlpha: this.globalAlpha,
      dash: this.dash,
      opened: this.opened,
    } = s)
  }
  beginPath(): void {
    this.path = []
  }
  closePath(): void {
    this.path.push('Z')
  }
  moveTo(x: number, y: number): void {
    this.path.push(`M${num(x)} ${num(y)}`)
  }
  lineTo(x: number, y: number): void {
    this.path.push(`L${num(x)} ${num(y)}`)
  }
  rect(x: number, y: number, w: number, h: number): void {
    this.path.push(`M${num(x)} ${num(y)}h${num(w)}v${num(h)}h${num(-w)}Z`)
  }
  arc(x: number, y: number, r: number): void {
    // Only whole circles are drawn: two half arcs.
    this.path.push(
      `M${num(x - r)} ${num(y)}a${num(r)} ${num(r)} 0 1 0 ${num(2 * r)} 0a${num(r)} ${num(r)} 0 1 0 ${num(-2 * r)} 0`,
    )
  }
  clip(): void {
    const id = `clip${this.clips++}`
    this.out.push(`<clipPath id="${id}"><path d="${this.path.join('')}"/></clipPath>`)
    this.out.push(`<g clip-path="url(#${id})">`)
    this.opened++
  }
  stroke(): void {
    if (this.path.length === 0) return
    const dash = this.dash.length ? ` stroke-dasharray="${this.dash.join(' ')}"` : ''
    this.out.push(
      `<path d="${this.path.join('')}" fill="none" stroke="${escape(String(this.strokeStyle))}" stroke-width="${num(this.lineWidth)}"${dash}${this.opacity()}/>`,
    )
  }
  fill(): void {
    if (this.path.length === 0) return
    this.out.push(
      `<path d="${this.path.join('')}" fill="${escape(String(this.fillStyle))}"${this.opacity()}/>`,
    )
  }
  fillRect(x: number, y: number, w: number, h: number): void {
    this.out.push(
      `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" fill="${escape(String(this.fillStyle))}"${this.opacity()}/>`,
    )
  }
  fillText(text: string, x: number, y: number): void {
    const anchor =
      this.textAlign === 'center'
        ? 'middle'
        : this.textAlign === 'right' || this.textAlign === 'end'
          ? 'end'
          : 'start'
    const baseline =
      this.textBaseline === 'middle' ? 'central' : this.textBaseline === 'top' ? 'hanging' : 'auto'
    this.out.push(
      `<text x="${num(x)}" y="${num(y)}" text-anchor="${anchor}" dominant-baseline="${baseline}" style="font:${escape(this.font)}" fill="${escape(String(this.fillStyle))}"${this.opacity()}>${escape(text)}</text>`,
    )
  }
  setLineDash(segments: number[]): void {
    this.dash = [...segments]
  }

  toString(): string {
    const closing = '</g>'.repeat(this.opened + this.stack.reduce((n, s) => n + s.opened, 0))
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}">\n` +
      this.out.join('\n') +
      closing +
      '\n</svg>\n'
    )
  }

  private opacity(): string {
    return this.globalAlpha < 1 ? ` opacity="${num(this.globalAlpha)}"` : ''
  }
}

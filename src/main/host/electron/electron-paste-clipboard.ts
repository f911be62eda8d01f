import { nativeImage, type Clipboard } from 'electron';
import type { OfferedText, PasteClipboard, SavedClipboard } from '../../actions/desktop';
import { PASTE_READ_DELAY_MS, readAfterDelay } from '../../actions/text-paste-clipboard';

/**
 * The desktop app's clipboard around a paste: Electron reads and writes text, HTML, RTF and an
 * image together on every platform, so a copied web page or picture survives a dictation. The app
 * cannot see the paste being read, so the restore waits the measured delay.
 */
export class ElectronPasteClipboard implements PasteClipboard {
  constructor(private readonly clipboard: Clipboard) {}

  save(): Promise<SavedClipboard> {
    const c = this.clipboard;
    const formats: SavedClipboard['formats'] = [];
    const text = c.readText();
    if (text) formats.push({ type: 'text/plain', data: Buffer.from(text, 'utf8') });
    const html = c.readHTML();
    if (html) formats.push({ type: 'text/html', data: Buffer.from(html, 'utf8') });
    const rtf = c.readRTF();
    if (rtf) formats.push({ type: 'text/rtf', data: Buffer.from(rtf, 'utf8') });
    const image = c.readImage();
    if (!image.isEmpty()) formats.push({ type: 'image/png', data: image.toPNG() });
    return Promise.resolve({ formats });
  }

  offer(text: string): Promise<OfferedText> {
    this.clipboard.writeText(text);
    return Promise.resolve({
      readAfter: (paste, maxMs) => readAfterDelay(paste, Math.min(maxMs, PASTE_READ_DELAY_MS)),
    });
  }

  restore(saved: SavedClipboard): Promise<void> {
    if (saved.formats.length === 0) {
      this.clipboard.clear();
      return Promise.resolve();
    }
    const of = (type: string) => saved.formats.find((f) => f.type === type)?.data;
    const image = of('image/png');
    this.clipboard.write({
      text: of('text/plain')?.toString('utf8'),
      html: of('text/html')?.toString('utf8'),
      rtf: of('text/rtf')?.toString('utf8'),
      image: image ? nativeImage.createFromBuffer(image) : undefined,
    });
    return Promise.resolve();
  }
}

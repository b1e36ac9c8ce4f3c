import { describe, expect, it } from 'vitest';
import { displayFileName, isInlineImage, safeFileName } from './pure.js';

describe('file names from others', () => {
  it('drops bidirectional controls, so a name reads as what it is', () => {
    // Shown with the override, "invoice\u202Egnp.exe" reads "invoiceexe.png".
    expect(displayFileName('invoice\u202Egnp.exe')).toBe('invoicegnp.exe');
    for (const c of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C']) {
      expect(displayFileName(`a${c}b.txt`)).toBe('ab.txt');
      expect(safeFileName(`a${c}b.txt`)).toBe('ab.txt');
    }
  });

  it('drops control characters and keeps other scripts', () => {
    expect(displayFileName('re\u0000port\n\u0085.pdf')).toBe('report.pdf');
    expect(displayFileName('报告 – 第一季.pdf')).toBe('报告 – 第一季.pdf');
    expect(displayFileName('تقرير.pdf')).toBe('تقرير.pdf');
    expect(displayFileName('\u202E\u200F', '?')).toBe('?');
  });

  it('saves under a name that stays in the folder chosen and that every OS accepts', () => {
    expect(safeFileName('../../.bashrc')).toBe('_.._.bashrc');
    expect(safeFileName('..\\..\\evil.bat')).toBe('_.._evil.bat');
    expect(safeFileName('.hidden')).toBe('hidden');
    expect(safeFileName('a:b*c?d"e<f>g|h.txt')).toBe('a_b_c_d_e_f_g_h.txt');
    expect(safeFileName('CON')).toBe('_CON');
    expect(safeFileName('lpt1.txt')).toBe('_lpt1.txt');
    expect(safeFileName('console.log')).toBe('console.log');
    expect(safeFileName('name. . ')).toBe('name');
    expect(safeFileName('...')).toBe('file');
    expect(safeFileName('', 'image')).toBe('image');
  });

  it('shows inline only raster images, never SVG or HTML', () => {
    for (const mime of ['image/png', 'image/jpeg', 'IMAGE/GIF', 'image/webp; charset=binary']) expect(isInlineImage(mime)).toBe(true);
    for (const mime of ['image/svg+xml', 'text/html', 'application/x-msdownload', 'application/octet-stream', '']) expect(isInlineImage(mime)).toBe(false);
  });
});

// Names of files users send: safe in a directory, within byte limits, never a lone surrogate.
import { expect } from 'chai';
import { sanitizeFileName } from '../../src/drivers/telegram.ts';
import { toWellFormed } from '../../src/domain/render/entities.ts';

describe('file names from Telegram', () => {
  const table: [string, string][] = [
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\boot.ini', 'boot.ini'],
    ['.bashrc', 'bashrc'],
    ['a:b*c?d"e<f>g|h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['line\nbreak\u0000.txt', 'line_break_.txt'],
    ['', 'file'],
    ['...', 'file'],
  ];
  for (const [input, out] of table) it(`${JSON.stringify(input)} → ${out}`, () => expect(sanitizeFileName(input)).to.equal(out));

  it('caps long names by bytes, on whole characters, keeping the extension', () => {
    for (const name of ['字'.repeat(99) + '.txt', 'a' + '😀'.repeat(60) + '.pdf', 'x'.repeat(300) + '.tar.gz']) {
      const safe = sanitizeFileName(name);
      expect(Buffer.byteLength(safe)).to.be.at.most(180);
      expect(safe).to.equal(toWellFormed(safe));
      expect(safe.endsWith(name.slice(name.lastIndexOf('.')))).to.equal(true);
    }
  });
});

// isLinkableUrl / imageText: what may become a Telegram text_link, and how an image reads as text.
import { expect } from 'chai';
import { imageText, isLinkableUrl } from '../../../src/domain/render/links.ts';

describe('isLinkableUrl', () => {
  for (const url of ['https://e.com/', 'http://e.com/a?b=1', 'HTTPS://E.COM', 'tg://user?id=1']) {
    it(`accepts ${url}`, () => expect(isLinkableUrl(url)).to.equal(true));
  }
  for (const url of ['', './README.md', 'javascript:alert(1)', 'ftp://e.com', 'mailto:a@b.co', 'http://', 'https://exa mple.com']) {
    it(`refuses ${JSON.stringify(url)}`, () => expect(isLinkableUrl(url)).to.equal(false));
  }
});

describe('imageText', () => {
  it('shows alt and URL, or whichever there is', () => {
    expect(imageText('cat', 'https://x.io/c.png')).to.equal('cat (https://x.io/c.png)');
    expect(imageText('', 'https://x.io/c.png')).to.equal('https://x.io/c.png');
    expect(imageText('cat', '')).to.equal('cat');
    expect(imageText('', '')).to.equal('');
  });
});

// fakeBotApi, driven through node-telegram-bot-api. Files users send: getFile and the download URL.
import { expect } from 'chai';
import { apiError, fakeAndClient, messageOf } from './testing.ts';

describe('fakeBotApi (driven through node-telegram-bot-api)', function () {
  this.timeout(10_000);

  describe('files', () => {
    const s = fakeAndClient();

    it('getFile + download of a user document', async () => {
      const content = Buffer.from('hello file contents');
      const msg = messageOf(s.fake.sendDocument({ chatId: 5, userId: 5, fileName: 'notes.txt', content, mimeType: 'text/plain' }));
      const fileId = msg.document?.file_id ?? '';
      const file = await s.api.getFile({ file_id: fileId });
      expect(file.file_path).to.be.a('string');
      expect(file.file_size).to.equal(content.length);
      const res = await fetch(`${s.fake.apiRoot}/file/bot${s.fake.token}/${file.file_path}`);
      expect(res.status).to.equal(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(content)).to.equal(true);
      const missing = await fetch(`${s.fake.apiRoot}/file/bot${s.fake.token}/documents/nope.txt`);
      expect(missing.status).to.equal(404);
      expect(s.fake.downloads.map((d) => d.status)).to.deep.equal([200, 404]);
    });

    it('getFile refuses files over 20 MB', async () => {
      const big = Buffer.alloc(20 * 1024 * 1024 + 1);
      const msg = messageOf(s.fake.sendDocument({ chatId: 5, userId: 5, fileName: 'big.bin', content: big }));
      const err = await apiError(s.api.getFile({ file_id: msg.document?.file_id ?? '' }));
      expect(err.description).to.equal('Bad Request: file is too big');
    });
  });
});

// End to end, media in: voice notes through a fake speech-to-text server (the multipart shape is
// checked), albums as one prompt, photos seen by the model as image blocks.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBot, OWNER, type Harness } from '../helpers/botHarness.ts';
import type { ModelRequest } from '../helpers/fakeModel.ts';
import { startFakeStt, type FakeStt } from '../helpers/fakeStt.ts';

// A valid 1×1 JPEG (the CLI reads an image's dimensions before it sends it on).
const TINY_JPEG = Buffer.from('/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=', 'base64');
/** A distinct valid JPEG: random bytes in a comment segment right after the start marker. */
const jpeg = (n: number) => {
  const note = randomBytes(n);
  const head = Buffer.from([0xff, 0xfe, (n + 2) >> 8, (n + 2) & 0xff]);
  return Buffer.concat([TINY_JPEG.subarray(0, 2), head, note, TINY_JPEG.subarray(2)]);
};

/** Image blocks of the last user message of a model request. */
const imagesOf = (r: ModelRequest) => {
  const last = [...(r.body.messages ?? [])].reverse().find((m) => m.role === 'user');
  return Array.isArray(last?.content) ? last.content.filter((b) => b.type === 'image') : [];
};

describe('media in end to end (real CLI, fake model, fake Bot API, fake STT)', function () {
  this.timeout(120_000);
  let h: Harness;
  let stt: FakeStt;
  let chat = 5000;
  const nextChat = () => ++chat;
  const dirOf = (c: number) => join(h.sessionsDir, `chat${c}`, 'default');
  before(async () => {
    stt = await startFakeStt();
    h = await startBot({ env: { STT_URL: stt.url, STT_API_KEY: 'sk-stt-test', STT_TIMEOUT_SECONDS: '2' } });
    await h.start();
  });
  after(async () => {
    await h?.close();
    await stt?.close();
  });

  it('a voice note is transcribed (multipart file .ogg + model + bearer key), quoted back, and is the prompt with its caption', async () => {
    const c = nextChat();
    const ogg = randomBytes(1500);
    stt.replies.push({ text: 'please list the files' });
    h.tg.sendMedia({ chatId: c, userId: OWNER, kind: 'voice', content: ogg, caption: 'from the car' });
    const shown = await h.waitForMessage(c, /🎙 Heard:\nplease list the files/);
    expect(shown.entities?.some((e) => e.type === 'blockquote')).to.equal(true);
    await h.waitForMessage(c, /MOCK REPLY to: from the car\n\nplease list the files/);
    const req = stt.requests.at(-1)!;
    expect(req.path).to.equal('/v1/audio/transcriptions');
    expect(req.authorization).to.equal('Bearer sk-stt-test');
    expect(req.fields.model).to.equal('whisper-1');
    expect(req.file!.name).to.match(/\.ogg$/);
    expect(req.file!.bytes.equals(ogg)).to.equal(true);
    expect(readFileSync(join(dirOf(c), req.file!.name)).equals(ogg)).to.equal(true);
  });

  it('a transcriber error, garbage or timeout is a clear message; nothing goes to Claude; the session keeps working', async () => {
    const c = nextChat();
    stt.replies.push({ status: 500, body: 'model overloaded' }, { status: 200, body: '<html>oops' }, { hang: true });
    h.tg.sendMedia({ chatId: c, userId: OWNER, kind: 'voice', content: randomBytes(100) });
    await h.waitForMessage(c, /Could not transcribe the voice note: the transcriber answered HTTP 500: model overloaded/);
    h.tg.sendMedia({ chatId: c, userId: OWNER, kind: 'audio', content: randomBytes(100), fileName: 'memo.mp3' });
    await h.waitForMessage(c, /Could not transcribe the audio file: the transcriber's answer was not JSON/);
    h.tg.sendMedia({ chatId: c, userId: OWNER, kind: 'video_note', content: randomBytes(100) });
    await h.waitForMessage(c, /Could not transcribe the video note: the transcriber did not answer within 2 s/);
    h.tg.sendText({ chatId: c, userId: OWNER, text: 'typed instead' });
    await h.waitForMessage(c, /MOCK REPLY to: typed instead/);
    expect(h.model.mainRequests().filter((r) => r.cwd?.includes(`chat${c}`)).map((r) => r.lastUserText)).to.deep.equal(['typed instead']);
  });

  it('an album of 3 photos arriving seconds apart is one prompt naming every file, with the caption; the model sees 3 images', async () => {
    const c = nextChat();
    const shots = [jpeg(900), jpeg(901), jpeg(902)];
    h.tg.sendMedia({ chatId: c, userId: OWNER, kind: 'photo', content: shots[0]!, mediaGroupId: 'alb1', caption: 'compare these' });
    h.tg.sendMedia({ chatId: c, userId: OWNER, kind: 'photo', content: shots[1]!, mediaGroupId: 'alb1' });
    await new Promise((r) => setTimeout(r, 1500)); // a late part: still the same album
    h.tg.sendMedia({ chatId: c, userId: OWNER, kind: 'photo', content: shots[2]!, mediaGroupId: 'alb1' });
    await h.waitForMessage(c, /MOCK REPLY to: The user sent an album of 3 files/);
    const reqs = h.model.mainRequests().filter((r) => r.lastUserText.includes('album of 3'));
    expect(reqs).to.have.length(1);
    const text = reqs[0]!.lastUserText;
    expect(text).to.contain('compare these');
    for (const name of ['photo-1.jpg', 'photo-2.jpg', 'photo-3.jpg']) expect(text).to.contain(name);
    expect(imagesOf(reqs[0]!)).to.have.length(3);
    shots.forEach((b, i) => expect(readFileSync(join(dirOf(c), `photo-${i + 1}.jpg`)).equals(b)).to.equal(true));
  });

  it("a photo reaches the model as an image block, from Telegram's largest size within the API's limits", async () => {
    const c = nextChat();
    const small = jpeg(300);
    const large = jpeg(1200);
    const huge = jpeg(10); // claims 9000 px: over the API's 8000 px limit
    h.tg.sendMedia({ chatId: c, userId: OWNER, kind: 'photo', content: small, caption: 'what is this?', sizes: [{ width: 90, height: 60, content: small }, { width: 1280, height: 960, content: large }, { width: 9000, height: 6000, content: huge }] });
    await h.waitForMessage(c, /MOCK REPLY to: The user sent a photo/);
    const req = h.model.mainRequests().find((r) => r.lastUserText.includes('what is this?'))!;
    const [img] = imagesOf(req);
    expect(img).to.deep.include({ type: 'image' });
    expect((img as unknown as { source: { media_type: string; data: string } }).source.media_type).to.equal('image/jpeg');
    expect(Buffer.from((img as unknown as { source: { data: string } }).source.data, 'base64').equals(large)).to.equal(true);
    expect(existsSync(join(dirOf(c), 'photo-1.jpg'))).to.equal(true);
  });
});

// Local speech to text: the loading and decoding code. The packages (smart-whisper,
// ogg-opus-decoder) are optional and no whisper model ships with npm, so the pipeline is tested
// with stand-ins for the packages; the real Ogg/Opus decoder runs when it is installed.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeOggOpus, loadLocalModules, localStt, type LocalModules } from '../../../src/drivers/io/localStt.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'voice-1s.ogg'); // 1 s of tone, opusenc
const GGML = Buffer.from([0x6c, 0x6d, 0x67, 0x67, 1, 2, 3, 4]);

/** Stand-ins that record what they were given. */
function fakes(seen: { pcm?: Float32Array; model?: string; decoded?: number; freed?: number }): LocalModules {
  return {
    Whisper: class {
      constructor(model: string) {
        seen.model = model;
      }
      async transcribe(pcm: Float32Array) {
        seen.pcm = pcm;
        return { result: Promise.resolve([{ text: ' hello' }, { text: ' world ' }]) };
      }
    },
    OggOpusDecoder: class {
      ready = Promise.resolve();
      async decodeFile(data: Uint8Array) {
        seen.decoded = data.length;
        return { channelData: [new Float32Array([0.1, 0.2, 0.3, 0])], samplesDecoded: 3, sampleRate: 16000 };
      }
      free() {
        seen.freed = (seen.freed ?? 0) + 1;
      }
    },
  } as unknown as LocalModules;
}

describe('local speech to text (whisper.cpp + Ogg/Opus decoding)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'stt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes the note, hands 16 kHz samples to whisper, joins the segments, frees the decoder', async () => {
    const seen: Parameters<typeof fakes>[0] = {};
    writeFileSync(join(dir, 'model.bin'), GGML);
    const t = localStt({ modelPath: join(dir, 'model.bin'), load: async () => fakes(seen) });
    expect(await t(FIXTURE)).to.deep.equal({ ok: true, text: 'hello world' });
    expect(seen.model).to.equal(join(dir, 'model.bin'));
    expect(seen.decoded).to.equal(readFileSync(FIXTURE).length);
    expect([...seen.pcm!]).to.have.length(3);
    expect(seen.freed).to.equal(1);
  });

  it('refuses a missing model, a file that is not a ggml model (whisper.cpp would crash), and non-Ogg audio', async () => {
    const load = async () => fakes({});
    expect(await localStt({ modelPath: join(dir, 'none.bin'), load })(FIXTURE)).to.deep.include({ ok: false }).and.satisfy((r: { message: string }) => /does not exist; download a ggml model/.test(r.message));
    writeFileSync(join(dir, 'junk.bin'), 'not a model');
    expect((await localStt({ modelPath: join(dir, 'junk.bin'), load })(FIXTURE) as { message: string }).message).to.match(/is not a whisper\.cpp ggml model/);
    writeFileSync(join(dir, 'model.bin'), GGML);
    expect((await localStt({ modelPath: join(dir, 'model.bin'), load })(join(dir, 'a.mp3')) as { message: string }).message).to.match(/Ogg\/Opus voice notes only/);
  });

  it('says which package is missing and how to install it', async () => {
    const err = await loadLocalModules(async (n) => {
      throw new Error(`Cannot find package '${n}'`);
    }).catch((e: Error) => e);
    expect((err as Error).message).to.match(/needs the npm package smart-whisper \(npm install smart-whisper ogg-opus-decoder\)/);
  });

  it('decodes the Ogg/Opus fixture to 16 kHz mono with the real decoder (when installed)', async function () {
    let ood: Record<string, unknown>;
    try {
      ood = (await import('ogg-opus' + '-decoder')) as Record<string, unknown>;
    } catch {
      return this.skip(); // optional package not installed here
    }
    const pcm = await decodeOggOpus({ OggOpusDecoder: ood.OggOpusDecoder } as unknown as LocalModules, new Uint8Array(readFileSync(FIXTURE)));
    expect(pcm.length).to.be.within(15_000, 17_000);
  });
});

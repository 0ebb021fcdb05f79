// Speech to text on this machine: whisper.cpp through the `smart-whisper` binding, with voice
// notes (Ogg/Opus) decoded to 16 kHz mono PCM by `ogg-opus-decoder` (WASM). Both are optional
// packages (npm install smart-whisper ogg-opus-decoder; smart-whisper compiles whisper.cpp), and
// the ggml model file (WHISPER_MODEL_PATH) is the operator's to download. The model is loaded on
// the first voice note and kept.
import { open, readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Transcribe } from './stt.ts';

/** The first 4 bytes of a ggml model file ("ggml", little-endian). */
const GGML_MAGIC = 0x67676d6c;

/** What the bot uses of the two packages. */
export interface LocalModules {
  Whisper: new (modelPath: string, opts: { gpu: boolean }) => {
    transcribe(pcm: Float32Array, opts: { language: string }): Promise<{ result: Promise<Array<{ text: string }>> }>;
  };
  OggOpusDecoder: new (opts: { sampleRate: number }) => {
    ready: Promise<void>;
    decodeFile(data: Uint8Array): Promise<{ channelData: Float32Array[]; samplesDecoded: number; sampleRate: number; errors?: unknown[] }>;
    free(): void;
  };
}

/** Imports the optional packages; a clear message when they are missing. */
export async function loadLocalModules(importer: (name: string) => Promise<unknown> = (n) => import(n)): Promise<LocalModules> {
  const get = async (name: string) => {
    try {
      return (await importer(name)) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`STT_PROVIDER=local needs the npm package ${name} (npm install smart-whisper ogg-opus-decoder): ${(err as Error).message.split('\n')[0]}`);
    }
  };
  const [sw, ood] = await Promise.all([get('smart-whisper'), get('ogg-opus-decoder')]);
  return { Whisper: sw.Whisper as LocalModules['Whisper'], OggOpusDecoder: ood.OggOpusDecoder as LocalModules['OggOpusDecoder'] };
}

/** Ogg/Opus bytes → 16 kHz mono samples, what whisper.cpp takes. */
export async function decodeOggOpus(m: LocalModules, data: Uint8Array): Promise<Float32Array> {
  const decoder = new m.OggOpusDecoder({ sampleRate: 16000 });
  try {
    await decoder.ready;
    const out = await decoder.decodeFile(data);
    if (!out.samplesDecoded || !out.channelData[0]) throw new Error('no audio could be decoded (is it Ogg/Opus?)');
    return out.channelData[0].subarray(0, out.samplesDecoded);
  } finally {
    decoder.free();
  }
}

export interface LocalStt {
  modelPath: string;
  load?: () => Promise<LocalModules>;
}

export function localStt(o: LocalStt): Transcribe {
  let ready: Promise<{ m: LocalModules; whisper: InstanceType<LocalModules['Whisper']> }> | undefined;
  const init = () =>
    (ready ??= (async () => {
      const m = await (o.load ?? loadLocalModules)();
      const st = await stat(o.modelPath).catch(() => undefined);
      if (!st?.isFile()) throw new Error(`the whisper model file ${o.modelPath} (WHISPER_MODEL_PATH) does not exist; download a ggml model such as ggml-base.en.bin`);
      // whisper.cpp crashes the whole process (SIGSEGV, measured) on a file that is not a model.
      const fd = await open(o.modelPath, 'r');
      const head = Buffer.alloc(4);
      await fd.read(head, 0, 4, 0).finally(() => fd.close());
      if (head.readUInt32LE(0) !== GGML_MAGIC) throw new Error(`${o.modelPath} (WHISPER_MODEL_PATH) is not a whisper.cpp ggml model file`);
      return { m, whisper: new m.Whisper(o.modelPath, { gpu: false }) };
    })().catch((err: unknown) => {
      ready = undefined; // a fixed setup works on the next voice note
      throw err;
    }));
  return async (path) => {
    if (!/^\.(ogg|oga|opus)$/i.test(extname(path))) return { ok: false, message: 'local transcription reads Ogg/Opus voice notes only; set STT_URL for audio files and video notes' };
    try {
      const { m, whisper } = await init();
      const pcm = await decodeOggOpus(m, new Uint8Array(await readFile(path)));
      const task = await whisper.transcribe(pcm, { language: 'auto' });
      const text = (await task.result).map((s) => s.text).join('').trim();
      return { ok: true, text };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  };
}

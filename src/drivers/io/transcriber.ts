// The configured speech-to-text, or none: an OpenAI-compatible endpoint, or whisper.cpp on this
// machine (STT_PROVIDER=local; the model file is the operator's to download).
import type { Config } from '../../protocol/config.ts';
import { localStt } from './localStt.ts';
import { remoteStt, type Transcribe } from './stt.ts';

export function transcriber(stt: Config['stt']): Transcribe | undefined {
  if (!stt) return undefined;
  if (stt.provider === 'openai') return remoteStt(stt);
  return localStt({ modelPath: stt.modelPath });
}

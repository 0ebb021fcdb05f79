// Joining rendered pieces (text + entities) while keeping UTF-16 offsets right. Pure.
import type { Entity, Rendered } from './entities.ts';

export function joinRendered(parts: Rendered[], separator = '\n'): Rendered {
  let text = '';
  const entities: Entity[] = [];
  for (const part of parts) {
    if (part.text.length === 0) continue;
    if (text.length > 0) text += separator;
    const shift = text.length;
    for (const e of part.entities) entities.push({ ...e, offset: e.offset + shift });
    text += part.text;
  }
  return { text, entities };
}

export const styled = (text: string, type: 'bold' | 'italic' | 'code'): Rendered =>
  text.length ? { text, entities: [{ type, offset: 0, length: text.length }] } : { text, entities: [] };

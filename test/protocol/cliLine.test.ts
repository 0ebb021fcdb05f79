// parseCliLine: every recorded line of the real CLI parses; no line ever throws, unknown types stay values.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { parseCliLine } from '../../src/protocol/cliLine.ts';

const dir = new URL('../../fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, dir), 'utf8').split('\n').filter(Boolean);

describe('stream-json protocol against recorded fixtures', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));

  it('has recordings to check', () => {
    expect(files.length).to.be.greaterThan(8);
  });

  for (const f of files) {
    it(`parses every line of ${f} without an invalid line`, () => {
      const invalid = fixture(f).map(parseCliLine).filter((l) => l.kind === 'invalid');
      expect(invalid).to.deep.equal([]);
    });
  }
});

describe('parsing never throws', () => {
  const cases: [string, string][] = [
    ['not json', 'invalid'],
    ['[1,2]', 'invalid'],
    ['{"no":"type"}', 'invalid'],
    ['{"type":"brand_new","x":1}', 'unknown'],
    ['{"type":"system","subtype":"shiny_new","x":1}', 'system'],
    ['{"type":"result","subtype":"success"}', 'invalid'],
    ['{"type":"assistant","message":{"content":[{"type":"server_tool_use","id":"x"}]}}', 'assistant'],
    ['{"type":"result","subtype":"success","is_error":false,"result":"ok","brand_new_field":{"a":1}}', 'result'],
  ];
  for (const [line, kind] of cases) {
    it(`${line} → ${kind}`, () => {
      expect(parseCliLine(line).kind).to.equal(kind);
    });
  }
});

// Entity helpers: validity, normalization (repair), capping.
import { expect } from 'chai';
import { assertValidEntities, capEntities, normalizeEntities } from '../../../src/domain/render/entities.ts';
import type { Entity } from '../../../src/domain/render/entities.ts';

describe('entities helpers', () => {
  it('assertValidEntities rejects bad entities', () => {
    const bad: Array<[string, Entity[]]> = [
      ['zero length', [{ type: 'bold', offset: 0, length: 0 }]],
      ['out of range', [{ type: 'bold', offset: 2, length: 5 }]],
      ['negative', [{ type: 'bold', offset: -1, length: 2 }]],
      ['crossing', [{ type: 'bold', offset: 0, length: 3 }, { type: 'italic', offset: 2, length: 3 }]],
      ['inside code', [{ type: 'code', offset: 0, length: 4 }, { type: 'bold', offset: 1, length: 1 }]],
      ['code in bold', [{ type: 'bold', offset: 0, length: 4 }, { type: 'code', offset: 1, length: 1 }]],
      ['nested blockquote', [{ type: 'blockquote', offset: 0, length: 4 }, { type: 'blockquote', offset: 1, length: 1 }]],
      ['bad url', [{ type: 'text_link', offset: 0, length: 1, url: 'javascript:x' }]],
      ['splits pair', [{ type: 'bold', offset: 0, length: 4 }]],
    ];
    for (const [name, entities] of bad) {
      expect(() => assertValidEntities({ text: 'abc😀', entities }), name).to.throw(/invalid entities/);
    }
    expect(() => assertValidEntities({ text: 'abcdef', entities: [] }, { maxLength: 5 })).to.throw();
  });

  it('normalizeEntities repairs what it can', () => {
    const text = 'ab😀cd';
    const out = normalizeEntities(text, [
      { type: 'bold', offset: 0, length: 0 }, // empty → dropped
      { type: 'italic', offset: 3, length: 1 }, // starts inside the pair → widened to it
      { type: 'bold', offset: 0, length: 6 },
      { type: 'underline', offset: 1, length: 4 },
      { type: 'code', offset: 4, length: 2 }, // crosses underline → dropped
      { type: 'text_link', offset: 0, length: 1, url: 'ftp://x' }, // bad scheme → dropped
    ]);
    assertValidEntities({ text, entities: out });
    expect(out).to.deep.equal([
      { type: 'bold', offset: 0, length: 6 },
      { type: 'underline', offset: 1, length: 4 },
      { type: 'italic', offset: 2, length: 2 },
    ]);
  });

  it('normalizeEntities splits styles around code, and around a blockquote holding code', () => {
    const text = 'abcdefgh';
    expect(
      normalizeEntities(text, [
        { type: 'bold', offset: 0, length: 8 },
        { type: 'blockquote', offset: 2, length: 4 },
        { type: 'pre', offset: 3, length: 1 },
      ]),
    ).to.deep.equal([
      { type: 'bold', offset: 0, length: 2 },
      { type: 'blockquote', offset: 2, length: 4 },
      { type: 'pre', offset: 3, length: 1 },
      { type: 'bold', offset: 6, length: 2 },
    ]);
  });

  it('capEntities drops the innermost first', () => {
    const entities: Entity[] = [{ type: 'blockquote', offset: 0, length: 300 }];
    for (let i = 0; i < 150; i++) entities.push({ type: 'bold', offset: i * 2, length: 1 });
    const capped = capEntities(entities, 100);
    expect(capped).to.have.length(100);
    expect(capped[0]).to.deep.equal({ type: 'blockquote', offset: 0, length: 300 });
  });
});

import { renderMarkdown } from './src/domain/render/markdown.ts';
const md = process.argv[2].replace(/\\n/g, '\n');
const r = renderMarkdown(md);
console.log(JSON.stringify(r.text));
console.log(r.text);
for (const e of r.entities) console.log(e, JSON.stringify(r.text.slice(e.offset, e.offset + e.length)));

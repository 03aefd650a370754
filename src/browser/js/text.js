// ---------------------------------------------------------------- text helpers
// Text the way a person reads it: whitespace collapsed, zero-width characters dropped; compared
// case-insensitively.
const clean = (s) => String(s == null ? '' : s).replace(/[\u200b\u200c\u200d\ufeff]/g, '')
  .replace(/\s+/g, ' ').trim();
const norm = (s) => clean(s).toLowerCase();
const compact = (s) => norm(s).replace(/ /g, '');
const short = (s, n = 80) => { const c = clean(s); return c.length > n ? c.slice(0, n - 1) + '…' : c; };
const quote = (s, n = 100) => JSON.stringify(short(s, n));
// Does `hay` match the text query `tq` ({text, mode: 'exact' | 'contains'})?
function matchText(hay, tq) {
  const h = norm(hay); const n = norm(tq.text);
  return tq.mode === 'contains' ? h.includes(n) : h === n;
}
const uniq = (arr) => [...new Set(arr)];

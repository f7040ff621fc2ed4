import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractInlineText, extractText } from './extract-text.js';

test('strips tags, scripts, styles and images, decodes entities, keeps link text but not hrefs', () => {
  const html =
    '<style>p{color:red}</style><script>track()</script><p>Acme&nbsp;Corp &amp; <a href="https://x.example">partners</a>' +
    '<img src="a.jpg" alt="logo"> &#8220;grow&#8221; &eacute;</p>';
  assert.equal(extractText(html), 'Acme Corp & partners “grow” é');
});

test('one line per block, spaces collapsed, headings keep their case', () => {
  const html = '<h2>Acme Corp   news</h2>\n\n<p>First\tparagraph.</p><ul><li>One</li><li>Two</li></ul>line<br>break';
  assert.equal(extractText(html), 'Acme Corp news\nFirst paragraph.\nOne\nTwo\nline\nbreak');
  assert.equal(extractInlineText(html), 'Acme Corp news First paragraph. One Two line break');
});

test('plain text with stray angle brackets and ampersands survives', () => {
  assert.equal(extractInlineText('Profits < 5% at AT&T <3'), 'Profits < 5% at AT&T <3');
});

test('normalises to NFC, drops control characters, keeps the Persian zero-width non-joiner', () => {
  assert.equal(extractText('Nha\u0300 ma\u0301y'), 'Nhà máy');
  assert.equal(extractText('Acme\u0007 Corp\ufeff'), 'Acme Corp');
  assert.equal(extractText('می\u200cکند'), 'می\u200cکند');
});

test('empty and whitespace-only input give an empty string', () => {
  assert.equal(extractText(''), '');
  assert.equal(extractText(' <p> </p> '), '');
});

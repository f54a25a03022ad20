// The server's rendered article (GET /kb_articles/{id}/html, already sanitised there)
// turned into Preact elements, never inserted as HTML: the text is parsed by DOMParser
// into an inert document (no script runs, no image loads), and only the elements and
// attributes of Markdown are rebuilt from it, links and images checked again. Images
// from other sites, which the Content-Security-Policy would block, become links.
import { h } from 'preact';
import { t } from '../../i18n.js';

const TAGS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code',
  'em', 'strong', 'a', 'img', 'hr', 'br', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'del']);
const EMPTY = new Set(['img', 'hr', 'br']);

// Whether a link's (or an image's) URL may stay: http, https, mailto (links only) or
// relative. Control characters and spaces are dropped first, as browsers do.
export function safeUrl(url, image = false) {
  const s = String(url).replace(/[\u0000-\u0020]/g, '');
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(s);
  if (!m) return !/^[^/?#]*:/.test(s);
  const scheme = m[1].toLowerCase();
  return scheme === 'http' || scheme === 'https' || (!image && scheme === 'mailto');
}

const external = (url) => /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(url.trim());

function convert(node, key) {
  if (node.nodeType === 3) return node.data;
  if (node.nodeType !== 1) return null;
  const tag = node.tagName.toLowerCase();
  const kids = Array.from(node.childNodes, convert);
  if (!TAGS.has(tag)) return kids; // anything else: its text only
  const props = { key };
  if (tag === 'a') {
    const href = node.getAttribute('href');
    if (href && safeUrl(href)) Object.assign(props, { href, rel: 'noopener noreferrer nofollow', target: '_blank' });
  } else if (tag === 'img') {
    const src = node.getAttribute('src') || '';
    const alt = node.getAttribute('alt') || '';
    if (!src || !safeUrl(src, true)) return alt;
    if (external(src)) return h('a', { key, href: src, rel: 'noopener noreferrer nofollow', target: '_blank' }, t('kb.image', { alt: alt || src }));
    Object.assign(props, { src, alt });
  } else if (tag === 'ol' && /^\d+$/.test(node.getAttribute('start') || '')) {
    props.start = node.getAttribute('start');
  } else if (tag === 'code' && /^language-[\w-]+$/.test(node.getAttribute('class') || '')) {
    props.class = node.getAttribute('class');
  }
  return h(tag, props, EMPTY.has(tag) ? null : kids);
}

// Elements of html's body, for a container's children.
export function htmlNodes(html) {
  const doc = new DOMParser().parseFromString(html || '', 'text/html');
  return Array.from(doc.body.childNodes, convert);
}

// Reads a page as a browser's parser does (parse5, the WHATWG algorithm) and lists what is malformed: every parse
// error, and any attribute whose name is not an HTML attribute (two attributes glued into one read as one unknown).
import { parse, type DefaultTreeAdapterMap } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];

/** The attributes HTML defines that a page of ours could use; `aria-*` and `data-*` are taken as they come. */
const KNOWN_ATTRIBUTES = new Set([
  'accept',
  'accept-charset',
  'action',
  'alt',
  'async',
  'aria-describedby',
  'autocapitalize',
  'autocomplete',
  'autofocus',
  'charset',
  'checked',
  'class',
  'colspan',
  'content',
  'crossorigin',
  'datetime',
  'defer',
  'dir',
  'disabled',
  'enctype',
  'for',
  'height',
  'hidden',
  'href',
  'hreflang',
  'http-equiv',
  'id',
  'inputmode',
  'integrity',
  'lang',
  'max',
  'maxlength',
  'media',
  'method',
  'min',
  'minlength',
  'name',
  'nonce',
  'novalidate',
  'pattern',
  'placeholder',
  'readonly',
  'referrerpolicy',
  'rel',
  'required',
  'role',
  'rowspan',
  'scope',
  'sizes',
  'spellcheck',
  'src',
  'srcset',
  'step',
  'style',
  'tabindex',
  'target',
  'title',
  'translate',
  'type',
  'value',
  'width',
]);

/** Every problem a browser's parser finds in `html` (empty when the page is well formed). */
export function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  const document = parse(html, {
    sourceCodeLocationInfo: true,
    onParseError: (error) => {
      const near = html
        .slice(Math.max(0, error.startOffset - 40), error.startOffset + 40)
        .replace(/\s+/g, ' ');
      problems.push(`${error.code} at ${error.startLine}:${error.startCol} near "${near}"`);
    },
  });
  const visit = (node: Node): void => {
    if ('attrs' in node) {
      for (const { name } of node.attrs) {
        if (!KNOWN_ATTRIBUTES.has(name) && !/^(aria|data)-[a-z-]+$/.test(name)) {
          problems.push(`<${node.tagName}> has an attribute "${name}" that HTML does not know`);
        }
      }
    }
    if ('childNodes' in node) for (const child of node.childNodes) visit(child);
    if ('content' in node) visit(node.content);
  };
  visit(document);
  return problems;
}

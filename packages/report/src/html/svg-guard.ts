/**
 * The report promises to open offline and never reach the network. Figure
 * SVG is inserted verbatim, so check that it is inert: no scripts, no
 * embedded HTML, and no references other than in-document fragments.
 * The xmlns/xmlns:xlink attributes are namespace names, not fetched, and are
 * the only URLs allowed.
 */

const NAMESPACE_ATTRIBUTE = /\sxmlns(?::[a-z]+)?="[^"]*"/gi;

export function assertInlineSvg(svg: string, where: string): void {
  const fail = (why: string) => {
    throw new Error(`${where}: figure SVG rejected (${why}); figures must be self-contained, inert SVG`);
  };
  const markup = svg.trim();
  if (!/^<svg[\s>]/.test(markup)) fail("it does not start with <svg>");
  if (/<script[\s>]/i.test(markup)) fail("it contains a <script>");
  if (/<foreignObject[\s>]/i.test(markup)) fail("it contains <foreignObject>");
  if (/\son[a-z]+\s*=/i.test(markup)) fail("it has an event-handler attribute");
  const withoutNamespaces = markup.replace(NAMESPACE_ATTRIBUTE, "");
  for (const [, target = ""] of withoutNamespaces.matchAll(/\s(?:xlink:)?(?:href|src)\s*=\s*["']([^"']*)["']/gi)) {
    if (!target.startsWith("#")) fail(`it references "${target}"`);
  }
  if (/url\(\s*["']?(?!#)/i.test(withoutNamespaces)) fail("it has a CSS url() that is not a #fragment");
  if (/@import/i.test(withoutNamespaces)) fail("it has a CSS @import");
  if (/https?:\/\//i.test(withoutNamespaces)) fail("it contains an http(s) URL");
}

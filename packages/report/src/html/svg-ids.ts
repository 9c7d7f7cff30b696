/**
 * Gives every id inside a figure's SVG a per-figure prefix, and rewrites the
 * references to it. Plot numbers its clip paths with a per-process counter,
 * so two figures rendered by different processes can both define
 * "plot-clip-1"; inlined into one page, the second figure would then be
 * clipped by the first one's rectangle.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const [, id] of svg.matchAll(/\sid="([^"]+)"/g)) if (id) ids.add(id);
  if (ids.size === 0) return svg;
  const scoped = (id: string) => (ids.has(id) ? `${prefix}-${id}` : id);
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}${scoped(id)}${b}`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${scoped(id)})`)
    .replace(/(\s(?:xlink:)?href=")#([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}#${scoped(id)}${b}`);
}

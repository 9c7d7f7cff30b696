/**
 * Escapes text for HTML element content and double- or single-quoted
 * attribute values. Report text comes from configs and users, so it is
 * always text, never markup.
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A string safe to use as an id and #fragment: lowercase letters, digits and dashes. */
export function slug(text: string): string {
  const s = text
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s || "item";
}

// Escaping for every output that embeds text from logs: a crafted function name must not inject
// markup, XML or workflow commands.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** HTML text that Markdown cannot touch either: brackets and emphasis characters as entities. */
export function escapeHtmlInMarkdown(s: string): string {
  return escapeHtml(s).replace(/[[\]()*_`~|\\]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Markdown inline text: HTML-escaped, then every Markdown punctuation character backslashed. */
export function escapeMarkdown(s: string): string {
  return escapeHtml(s.replace(/[\r\n]+/g, ' ')).replace(/[\\`*_{}[\]()#+\-.!|~]/g, '\\$&');
}

// XML 1.0 cannot carry most control characters at all, not even as references.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(s: string): string {
  return escapeHtml(s.replace(XML_INVALID, '\uFFFD'));
}

/** GitHub workflow command message data. */
export function escapeCommandData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub workflow command property values (file=, title=). */
export function escapeCommandProperty(s: string): string {
  return escapeCommandData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

// Escaping for every output that embeds text from logs: a crafted function name or file name must
// not inject markup, XML, workflow commands, mentions or terminal control sequences.

// C0 and C1 control characters (and DEL), tab excepted; and the Unicode bidirectional controls,
// which reorder what a terminal or a web page shows ("Trojan Source": a name that reads as another).
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Control characters other than tab as visible `\xNN` / `\u{NNNN}` text (`\n` kept when asked: a renderer's own line breaks). */
export function visibleControls(s: string, keepNewlines = false): string {
  return s.replace(keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

// Diagnosis prose: paragraph breaks are the rule's own, so their line feeds stay.
const PROSE_KEYS = new Set(['summary', 'rootCause', 'remediation', 'notes']);

/**
 * The result with the control characters of every string made visible (a copy of what holds one,
 * the same objects where nothing changes), for renderers
 * whose output reaches a terminal, a workflow log or an XML parser. Diagnosis prose keeps its line feeds.
 */
export function withVisibleControls<T>(value: T, keepNewlines = false): T {
  // Copied only where a string changes: a report of 100,000s of threads without control characters
  // is handed back as it is, not doubled in memory (a debugger's 64 MB flood of thread headers).
  if (typeof value === 'string') return visibleControls(value, keepNewlines) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const w = withVisibleControls(v, keepNewlines);
      if (out) out.push(w);
      else if (w !== v) (out = value.slice(0, i)).push(w);
    }
    return (out ?? value) as T;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    let out: Record<string, unknown> | null = null;
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[i]!;
      const w = withVisibleControls(v, keepNewlines || PROSE_KEYS.has(k));
      if (w === v && !out) continue;
      if (!out) {
        out = {};
        for (let j = 0; j < i; j++) out[entries[j]![0]] = entries[j]![1];
      }
      out[k] = w;
    }
    return (out ?? value) as T;
  }
  return value;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * GitHub turns plain text into links and notifications after Markdown is rendered, on the HTML's
 * text: @mentions, issue references (#12, GH-12), bare URLs (https://, www.) and e-mail addresses.
 * A zero-width space breaks each pattern without changing what a reader sees.
 */
export function neutralizeAutolinks(s: string): string {
  return s
    .replace(/@(?=[\p{L}\p{N}_-])/gu, '@\u200B')
    .replace(/#(?=\d)/g, '#\u200B')
    .replace(/(GH)-(?=\d)/gi, '$1-\u200B')
    .replace(/:\/\//g, ':\u200B//')
    .replace(/(www)\./gi, '$1\u200B.');
}

/**
 * Text inside raw HTML in Markdown (`<summary>`, `<code>`, `<pre>`): HTML-escaped, and Markdown
 * punctuation as character references so that no Markdown processor reads it as emphasis or links.
 */
export function escapeHtmlInMarkdown(s: string): string {
  return escapeHtml(neutralizeAutolinks(visibleControls(s))).replace(/[[\]()*_`~|\\$]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Markdown inline text (also a table cell): one line; every ASCII punctuation character that
 * CommonMark or GitHub give a meaning to is backslash-escaped, which renders as the character itself
 * (HTML tags, entities, links, emphasis, code, math, table pipes); autolinks and mentions are broken.
 */
export function escapeMarkdown(s: string): string {
  const line = neutralizeAutolinks(visibleControls(s.replace(/\r\n|\r|\n/g, ' ')));
  return line.replace(/[!#$&()*+\-.<>[\\\]^_`{|}~]/g, '\\$&');
}

// XML 1.0 cannot carry most control characters at all, not even as references; C1 controls are
// allowed but discouraged. Both are shown as visible escapes.
const XML_INVALID = /[\uFFFE\uFFFF]/g;

export function escapeXml(s: string): string {
  return escapeHtml(visibleControls(s, true).replace(XML_INVALID, '\uFFFD'));
}

/** GitHub workflow command message data (line breaks encoded; other control characters made visible). */
export function escapeCommandData(s: string): string {
  return visibleControls(s.replace(/\r\n?/g, '\n'), true).replace(/%/g, '%25').replace(/\n/g, '%0A');
}

/** GitHub workflow command property values shown as text (title=): control characters made visible. */
export function escapeCommandProperty(s: string): string {
  return escapeCommandData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * A path as a workflow command's file= property: the real path, encoded exactly as GitHub's
 * runner decodes properties (%25, %0D, %0A, %3A, %2C), so the annotation lands on that very file.
 * Not made visible: the runner decodes nothing else, so "\x07" would name another file.
 */
export function escapeCommandPath(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
}

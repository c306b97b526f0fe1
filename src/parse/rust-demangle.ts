// Rust's legacy symbol mangling (the default of rustc before v0 mangling), as it shows in frames
// nobody demangled (backtrace_symbols, unsymbolized sanitizer and libFuzzer stacks, old panics):
//   _ZN4core9panicking5panic17h0123456789abcdefE                     -> core::panicking::panic
//   _ZN50_$LT$std..io..Error$u20$as$u20$core..fmt..Debug$GT$3fmt17h...E -> <std::io::Error as core::fmt::Debug>::fmt
// It is Itanium-shaped (_ZN, length-prefixed parts, E) with the last part a hash ("h" and 16 hex
// digits), dropped here like the rest of coredx drops "::h<hash>" suffixes. Punctuation is escaped
// ("$LT$" <, "$GT$" >, "$RF$" &, "$BP$" *, "$C$" ",", "$SP$" @, "$u20$" and other "$uXX$" code
// points; ".." is "::"). A pure function: the same rules as the rustc-demangle crate's legacy module.

const ESCAPES: Record<string, string> = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };
const HASH = /^h[0-9a-f]{16}$/;

/** The demangled name of a legacy-mangled Rust symbol (hash dropped), or null when `name` is not one. */
export function demangleRustLegacy(name: string): string | null {
  // "_ZN...E", "ZN...E" (some tools drop the underscore), "__ZN...E" (macOS); ".llvm.123" suffixes.
  const m = /^(?:__?)?ZN(.*)E(?:\.llvm\.[0-9A-Za-z_.]+)?$/.exec(name);
  if (!m) return null;
  const body = m[1]!;
  const parts: string[] = [];
  let i = 0;
  while (i < body.length) {
    const len = /^\d+/.exec(body.slice(i));
    if (!len) return null;
    i += len[0].length;
    const n = Number(len[0]);
    if (n === 0 || i + n > body.length) return null;
    parts.push(body.slice(i, i + n));
    i += n;
  }
  if (parts.length === 0) return null;
  // Rust's legacy symbols end in the hash; an Itanium C++ name ("_ZN3foo3barEv") does not get here
  // (its "E" is followed by the parameters) and one without a hash is not Rust's.
  if (!HASH.test(parts[parts.length - 1]!)) return null;
  parts.pop();
  const out: string[] = [];
  for (const part of parts) {
    const text = unescape(part);
    if (text === null) return null;
    out.push(text);
  }
  return out.join('::');
}

function unescape(part: string): string | null {
  let s = part;
  // A part that would start with "$" gets a leading "_" ("_$LT$..."): drop it.
  if (s.startsWith('_$')) s = s.slice(1);
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '$') {
      const end = s.indexOf('$', i + 1);
      if (end < 0) return null;
      const code = s.slice(i + 1, end);
      if (ESCAPES[code] !== undefined) out += ESCAPES[code];
      else if (/^u[0-9a-f]{1,6}$/.test(code)) out += String.fromCodePoint(parseInt(code.slice(1), 16));
      else return null;
      i = end + 1;
    } else if (c === '.') {
      if (s[i + 1] === '.') {
        out += '::';
        i += 2;
      } else {
        out += '.';
        i += 1;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const ESCAPE = /\$(?:SP|BP|RF|LT|GT|LP|RP|C|u[0-9a-f]{1,6})\$/;

/**
 * A Rust name a symbolizer demangled only halfway, as the Itanium demangler leaves legacy symbols:
 * "libfuzzer_sys::initialize::_$u7b$$u7b$closure$u7d$$u7d$::h8a22640c22e97ee8" becomes
 * "libfuzzer_sys::initialize::{{closure}}". Names without a hash suffix or escapes come back unchanged.
 */
export function cleanRustName(name: string): string {
  const hashless = name.replace(/::h[0-9a-f]{16}$/, '');
  if (!ESCAPE.test(hashless)) return hashless;
  const parts = hashless.split('::').map((p) => unescape(p) ?? p);
  return parts.join('::');
}

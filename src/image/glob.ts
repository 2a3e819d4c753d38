/**
 * Glob matching for normalised image paths (no leading "/"): `*` matches within one segment, `**` matches
 * any number of whole segments (including none), `?` matches one character other than "/".
 * Node 20's path.matchesGlob is experimental, so this small translation to RegExp is used instead.
 */

const cache = new Map<string, RegExp>();

/** Whether `path` matches `pattern`. A leading "/" on either side is ignored. */
export function matchGlob(pattern: string, path: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = globToRegExp(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(path.replace(/^\/+/, ""));
}

/** Translate a glob into an anchored RegExp. */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.replace(/^\/+/, "");
  let out = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "*" && p[i + 1] === "*") {
      const atStart = i === 0 || p[i - 1] === "/";
      const atEnd = i + 2 === p.length || p[i + 2] === "/";
      if (atStart && atEnd) {
        // "**/" = zero or more leading segments; trailing "/**" = everything below.
        if (i + 2 === p.length) out += ".*";
        else { out += "(?:[^/]*/)*"; i++; }
        i++;
        continue;
      }
      out += "[^/]*";
      i++;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/** A parsed `WWW-Authenticate` challenge (RFC 7235), as registries send it on 401. */
export interface Challenge {
  readonly scheme: 'basic' | 'bearer';
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses the first Basic or Bearer challenge. Parameters may be quoted (with escapes) or tokens,
 * and several challenges may share one header separated by commas.
 */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const value of values) {
    const re = /\s*([A-Za-z][\w-]*)\s+/y;
    let pos = 0;
    while (pos < value.length) {
      re.lastIndex = pos;
      const m = re.exec(value);
      if (!m?.[1]) break;
      const scheme = m[1].toLowerCase();
      pos = re.lastIndex;
      const params: Record<string, string> = {};
      const param = /\s*([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/y;
      for (;;) {
        param.lastIndex = pos;
        const p = param.exec(value);
        if (!p?.[1]) break;
        // A new scheme starts where a token is followed by a space instead of '='.
        params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
        pos = param.lastIndex;
      }
      if (scheme === 'basic' || scheme === 'bearer') return { scheme, params };
    }
  }
  return undefined;
}

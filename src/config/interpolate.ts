import { clipped } from './describe.ts';

/**
 * `${VAR}` and `${VAR:-default}` in string values, so secrets and per-machine
 * paths stay out of pipeline files. Shell semantics where they overlap: `:-`
 * applies when the variable is unset or empty, and `$$` is a literal `$`. A `$`
 * followed by anything else is kept as is (`price$5`).
 */
export type Interpolated =
  | {
      readonly ok: true;
      readonly value: string;
      /** The text was exactly one `${…}`: the caller may read the result as YAML (a number, a boolean). */
      readonly whole: boolean;
    }
  | { readonly ok: false; readonly message: string; readonly hint: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// biome-ignore lint/suspicious/noTemplateCurlyInString: shows users the ${…} syntax
const SYNTAX = 'write ${NAME} or ${NAME:-default}, and $$ for a literal $';

export function interpolate(text: string, env: NodeJS.ProcessEnv): Interpolated {
  if (!text.includes('$')) return { ok: true, value: text, whole: false };
  let out = '';
  let references = 0;
  let literal = false;
  let i = 0;
  while (i < text.length) {
    const next = text[i + 1];
    if (text[i] !== '$' || (next !== '{' && next !== '$')) {
      out += text[i];
      literal = true;
      i += 1;
      continue;
    }
    if (next === '$') {
      out += '$';
      literal = true;
      i += 2;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    if (end < 0) return fail(`unterminated "\${" in "${clipped(text)}"`, SYNTAX);
    const resolved = resolve(text.slice(i + 2, end), env);
    if (!resolved.ok) return resolved;
    out += resolved.value;
    references += 1;
    i = end + 1;
  }
  return { ok: true, value: out, whole: references === 1 && !literal };
}

function resolve(body: string, env: NodeJS.ProcessEnv): Interpolated {
  const sep = body.indexOf(':-');
  const name = sep < 0 ? body : body.slice(0, sep);
  const fallback = sep < 0 ? undefined : body.slice(sep + 2);
  if (name === '') return fail(`empty variable name in "\${${clipped(body)}}"`, SYNTAX);
  if (!NAME.test(name)) {
    return fail(
      `invalid variable reference "\${${clipped(body)}}"`,
      `variable names are letters, digits and _, not starting with a digit; ${SYNTAX}`,
    );
  }
  if (fallback?.includes('${')) {
    return fail(`nested "\${" in the default of "\${${clipped(body)}}" is not supported`, SYNTAX);
  }
  const value = env[name];
  if (value !== undefined && (value !== '' || fallback === undefined)) {
    return { ok: true, value, whole: true };
  }
  if (fallback !== undefined) return { ok: true, value: fallback, whole: true };
  return fail(
    `environment variable ${name} is not set`,
    `set it, or give a default: \${${name}:-value}`,
  );
}

function fail(message: string, hint: string): Interpolated {
  return { ok: false, message, hint };
}

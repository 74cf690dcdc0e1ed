/**
 * Jinja-family templates (Jinja2, Ansible, cookiecutter, j2cli): `{% if %}` blocks, `{{ var }}`
 * expressions and `{# #}` comments. Such a file is not a config until something renders it, and
 * nothing arena-lint models renders Jinja (the official nginx image renders `${VAR}` envsubst
 * templates only), so its text is not the config a container reads.
 */
const JINJA_TAG = /\{%-?\s*[A-Za-z_]\w*\b[^\n]*?-?%\}|\{\{-?\s*[^{}\n]+?\s*-?\}\}|\{#[^\n]*?#\}/;

/** Offset of the first Jinja tag, or -1. */
export function jinjaTagAt(text: string): number {
  const m = JINJA_TAG.exec(text);
  return m ? m.index : -1;
}

export function isJinjaTemplate(text: string): boolean {
  return jinjaTagAt(text) >= 0;
}

/**
 * A Jinja block tag (`{% if %}`, `{% for %}`): enough to call a YAML or env file a cookiecutter or
 * Ansible template. Narrower than `isJinjaTemplate`, because `{{.Name}}` is an ordinary Go template
 * in a compose file (healthchecks, labels) and must not hide it.
 */
export function hasJinjaBlockTag(text: string): boolean {
  return /\{%-?\s*(if|for|raw|set|endif|endfor)\b/.test(text);
}

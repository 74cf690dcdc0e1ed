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
 * Whether a YAML or env file is a cookiecutter or Ansible template: a Jinja block tag (`{% if %}`,
 * `{% for %}`) or a Jinja expression over a name (`{{ cookiecutter.project_slug }}`,
 * `{{ db_password | default('x') }}`). Narrower than `isJinjaTemplate`, because compose files carry
 * ordinary Go templates (`{{.Name}}`, `{{ .State.Health }}`, `{{json .Config}}` in healthchecks and
 * labels), which start with a dot, a `$` or a function call, and must not hide the file.
 */
export function isJinjaDataTemplate(text: string): boolean {
  return /\{%-?\s*(if|for|raw|set|endif|endfor)\b/.test(text) || /\{\{-?\s*[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*\s*(\|[^{}\n]*)?-?\}\}/.test(text);
}

/**
 * Placeholders that carry Helm template expressions through cdk8s and YAML serialisation.
 *
 * cdk8s and the YAML writer only see plain data, so every place where the chart needs
 * `{{ … }}` holds a placeholder instead; after serialisation `renderTemplate` escapes any
 * literal `{{`/`}}` that came from user data (alert summaries, descriptions) and then swaps
 * the placeholders for their expressions. Three forms:
 *
 * - `scalar(expr)` → `__HV_n__`: the whole YAML scalar (with its quotes, if the writer added
 *   any) becomes `expr`. The expression decides the rendered type: `{{ int .Values.x }}` stays
 *   a number, `{{ .Values.x | quote }}` a string. This is how typed fields avoid `"3"`.
 * - `inline(expr)` → `__HI_n__`: replaced in place inside a longer string. Only for
 *   expressions whose output needs no YAML quoting (numbers, DNS names, label values).
 * - `block(expr)` → a mapping entry `__HB_n__: ""`: the whole line becomes
 *   `{{- expr | nindent <column> }}`, i.e. the expression emits YAML mapping entries at that
 *   depth (labels from a helper, `toYaml` of a values map).
 * - `number()` → a numeric sentinel for APIs that only take numbers (the sdk contract's
 *   seconds, millicores and MiB); it is replaced in place like `inline`.
 */
const SCALAR = /"?__HV_(\d+)__"?/g;
const INLINE = /__HI_(\d+)__/g;
const BLOCK_LINE = /^( *)(- )?"?__HB_(\d+)__"?: (""|'')$/gm;
/** Odd numbers far from any real quantity: format helpers (cpu m, memory Mi, Mbps) keep them intact. */
const NUMBER_BASE = 900_000_001;
const NUMBER = /(?<!\d)9\d{8}(?!\d)/g;

export class TemplateTokens {
  private readonly scalars: string[] = [];
  private readonly inlines: string[] = [];
  private readonly blocks: string[] = [];
  private readonly numbers = new Map<number, string>();
  private nextNumber = NUMBER_BASE;
  private readonly taken: Set<string>;

  /** `data`: everything that will be serialised besides the placeholders, so numeric sentinels avoid its numbers. */
  constructor(data: unknown = null) {
    this.taken = new Set(JSON.stringify(data ?? null).match(/\d+/g) ?? []);
  }

  scalar(expression: string): string {
    this.scalars.push(expression);
    return `__HV_${this.scalars.length - 1}__`;
  }

  inline(expression: string): string {
    this.inlines.push(expression);
    return `__HI_${this.inlines.length - 1}__`;
  }

  /** The key to put in a mapping (with value "") where `expression`'s YAML lines go. */
  block(expression: string): string {
    this.blocks.push(expression);
    return `__HB_${this.blocks.length - 1}__`;
  }

  number(expression: string): number {
    while (this.taken.has(String(this.nextNumber))) this.nextNumber += 2;
    const value = this.nextNumber;
    this.nextNumber += 2;
    this.numbers.set(value, expression);
    return value;
  }

  /** Turns serialised YAML holding placeholders into Helm template text. */
  render(yamlText: string): string {
    let text = escapeTemplateDelimiters(yamlText);
    text = text.replace(BLOCK_LINE, (_m, indent: string, dash: string | undefined, n: string) => {
      const column = indent.length + (dash ? 2 : 0);
      return `${indent}${dash ?? ''}{{- ${this.get(this.blocks, n, 'block')} | nindent ${column} }}`;
    });
    text = text.replace(SCALAR, (_m, n: string) => this.get(this.scalars, n, 'scalar'));
    text = text.replace(INLINE, (_m, n: string) => this.get(this.inlines, n, 'inline'));
    text = text.replace(NUMBER, (m) => {
      // A number of this form that was never registered is user data (an alert threshold): keep it.
      return this.numbers.get(Number(m)) ?? m;
    });
    const leftover = /__H[VIB]_\d+__/.exec(text);
    if (leftover)
      throw new Error(`internal: placeholder ${leftover[0]} was not replaced (the YAML writer changed its form)`);
    return text;
  }

  private get(list: string[], n: string, kind: string): string {
    const expression = list[Number(n)];
    if (expression === undefined) throw new Error(`internal: ${kind} placeholder ${n} was never registered`);
    return expression;
  }
}

/**
 * Makes literal `{{`/`}}` (Prometheus `{{ $labels.x }}`, Go-template text in user strings)
 * survive Helm: each becomes a template action printing the delimiter.
 */
export function escapeTemplateDelimiters(text: string): string {
  return text.replace(/\{\{|\}\}/g, (d) => (d === '{{' ? '{{ "{{" }}' : '{{ "}}" }}'));
}

import { describe, expect, it } from 'vitest';
import { TemplateTokens, escapeTemplateDelimiters } from './tokens.js';
import { toYaml } from './templates.js';

describe('template placeholders', () => {
  it('puts typed expressions in place of whole scalars, dropping the quotes the YAML writer added', () => {
    const t = new TemplateTokens();
    const yaml = toYaml({
      replicas: t.scalar('{{ int .Values.replicaCount }}'),
      image: t.scalar('{{ .Values.image | quote }}'),
    });
    expect(t.render(yaml)).toBe('replicas: {{ int .Values.replicaCount }}\nimage: {{ .Values.image | quote }}\n');
  });

  it('replaces inline and numeric placeholders inside longer strings', () => {
    const t = new TemplateTokens();
    const cpu = t.number('{{ int .Values.cpu }}');
    const yaml = toYaml({ a: `cpu=${cpu}m`, b: String(cpu), c: `${t.inline('{{ include "x" . }}')}.json` });
    expect(t.render(yaml)).toBe(
      'a: cpu={{ int .Values.cpu }}m\nb: "{{ int .Values.cpu }}"\nc: {{ include "x" . }}.json\n',
    );
  });

  it('turns block markers into nindent includes at the marker column', () => {
    const t = new TemplateTokens();
    const yaml = toYaml({
      metadata: { labels: { [t.block('include "labels" .')]: '', fixed: 'yes' } },
      list: [{ [t.block('toYaml .Values.x')]: '' }],
    });
    expect(t.render(yaml)).toBe(
      'metadata:\n  labels:\n    {{- include "labels" . | nindent 4 }}\n    fixed: "yes"\nlist:\n  - {{- toYaml .Values.x | nindent 4 }}\n',
    );
  });

  it('never replaces numbers that occur in the data', () => {
    const t = new TemplateTokens({ threshold: 900000001 });
    const n = t.number('{{ 1 }}');
    expect(n).not.toBe(900000001);
    expect(t.render(`expr: x > 900000001\nv: ${n}\n`)).toBe('expr: x > 900000001\nv: {{ 1 }}\n');
  });

  it('escapes template delimiters that come from data, before inserting expressions', () => {
    const t = new TemplateTokens();
    const yaml = toYaml({ summary: 'Target {{ $labels.target }} down', name: t.scalar('{{ .Release.Name }}') });
    expect(t.render(yaml)).toBe(
      'summary: Target {{ "{{" }} $labels.target {{ "}}" }} down\nname: {{ .Release.Name }}\n',
    );
    expect(escapeTemplateDelimiters('}}{{')).toBe('{{ "}}" }}{{ "{{" }}');
  });

  it('quotes YAML 1.1 booleans so go-yaml reads strings', () => {
    expect(toYaml({ a: 'on', b: 'no', c: 'y', d: 'off', e: 'yes' })).toBe(
      'a: "on"\nb: "no"\nc: "y"\nd: "off"\ne: "yes"\n',
    );
  });

  it('fails loudly when a placeholder was mangled', () => {
    const t = new TemplateTokens();
    t.scalar('{{ x }}');
    expect(() => t.render('a: __HV_7__\n')).toThrow(/never registered/);
  });
});

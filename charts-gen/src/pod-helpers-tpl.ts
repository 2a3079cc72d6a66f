/**
 * Named templates every chart of the catalogue shares (apps and the scheduler): the image
 * reference with Rancher's registry override, and the optional pod-spec fields. Values they read:
 * `image.{registry,repository,tag,digest}`, `global.cattle.systemDefaultRegistry`,
 * `global.systemDefaultRegistry`, `imagePullSecrets`, `tolerations`, `priorityClassName`.
 */

/** The `registry` and `image` named templates; `n` gives their names. */
export function imageHelpersTpl(n: { registry: string; image: string }): string {
  return `{{/*
The registry to pull from, or nothing for the repository's own: image.registry (the user's
choice), else Rancher's global.cattle.systemDefaultRegistry, else Fleet's and RKE2's
global.systemDefaultRegistry (both set by Rancher for air-gapped clusters).
*/}}
{{- define "${n.registry}" -}}
{{- $global := .Values.global | default dict }}
{{- $cattle := get $global "cattle" | default dict }}
{{- .Values.image.registry | default (get $cattle "systemDefaultRegistry") | default (get $global "systemDefaultRegistry") | default "" | trimSuffix "/" }}
{{- end }}

{{/*
[registry/]repository[:tag][@digest]. A chosen registry replaces the one in the repository (its
first component, when that holds a dot or a port or is localhost); the digest still pins the
reviewed image, so a mirror can only serve those exact bytes.
*/}}
{{- define "${n.image}" -}}
{{- $repository := .Values.image.repository }}
{{- with include "${n.registry}" . }}
{{- $repository = printf "%s/%s" . (regexReplaceAll "^([^/]*[.:][^/]*|localhost)/" $repository "") }}
{{- end }}
{{- $repository }}{{ with .Values.image.tag }}:{{ . }}{{ end }}{{ with .Values.image.digest }}@{{ . }}{{ end }}
{{- end }}
`;
}

/** The named template `name` that prints imagePullSecrets, tolerations and priorityClassName when set. */
export function podExtrasHelperTpl(name: string): string {
  return `{{/* Pod spec fields present only when set: imagePullSecrets (names or {name}), tolerations, priorityClassName. */}}
{{- define "${name}" -}}
{{- $secrets := list }}
{{- range .Values.imagePullSecrets }}
{{- if kindIs "string" . }}{{ $secrets = append $secrets (dict "name" .) }}{{ else }}{{ $secrets = append $secrets (dict "name" .name) }}{{ end }}
{{- end }}
{{- with $secrets }}
imagePullSecrets:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- end }}
`;
}

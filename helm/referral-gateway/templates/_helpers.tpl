{{/* Names, labels and the per-service facts every template shares. */}}

{{- define "referral-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "referral-gateway.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The recommended labels; call with (dict "root" $ "component" "router"). */}}
{{- define "referral-gateway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "referral-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: referral-gateway
{{- end -}}

{{- define "referral-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "referral-gateway.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{- define "referral-gateway.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
The services: HTTP (metrics, health) port, gRPC port (0: none), whether it is a Kafka loop
service with replicas. The ports are the services' defaults (deploy/config).
*/}}
{{- define "referral-gateway.services" -}}
standardiser: {http: 9101, grpc: 0}
router: {http: 9102, grpc: 0}
feed: {http: 9103, grpc: 50051}
intake: {http: 9104, grpc: 50052}
monitor: {http: 9105, grpc: 0}
{{- end -}}

{{/*
A service's config file: its own `config` from values, plus what the chart decides (the files
beside it in the ConfigMap, the listen addresses, the Kafka cluster, the TLS and grants files).
Call with (dict "root" $ "name" "feed" "ports" $ports).
*/}}
{{- define "referral-gateway.config" -}}
{{- $root := .root -}}
{{- $values := index $root.Values .name -}}
{{- $config := deepCopy (default dict $values.config) -}}
{{- $_ := set $config "directory_file" "directory.yaml" -}}
{{- $_ := set $config "http" (dict "listen" (printf "0.0.0.0:%v" .ports.http)) -}}
{{- if has .name (list "router" "intake") -}}
{{- $calendar := deepCopy (default dict $config.calendar) -}}
{{- $_ := set $calendar "bank_holidays_file" "bank-holidays.json" -}}
{{- $_ := set $config "calendar" $calendar -}}
{{- end -}}
{{- $kafka := deepCopy (default dict $config.kafka) -}}
{{- $_ := set $kafka "bootstrap_servers" (required "kafka.bootstrapServers is required" $root.Values.kafka.bootstrapServers) -}}
{{- $properties := merge (deepCopy (default dict $kafka.properties)) (deepCopy $root.Values.kafka.properties) -}}
{{- if $properties -}}
{{- $_ := set $kafka "properties" $properties -}}
{{- end -}}
{{- if $root.Values.kafka.secretProperties -}}
{{- $fromEnv := dict -}}
{{- range $property, $ref := $root.Values.kafka.secretProperties -}}
{{- $_ := set $fromEnv $property (include "referral-gateway.secretEnv" $property) -}}
{{- end -}}
{{- $_ := set $kafka "secret_properties_from_env" $fromEnv -}}
{{- end -}}
{{- $_ := set $config "kafka" $kafka -}}
{{- if gt (int .ports.grpc) 0 -}}
{{- $_ := set $config "grpc" (dict
      "listen" (printf "0.0.0.0:%v" .ports.grpc)
      "tls" (dict "cert_file" "tls/tls.crt" "key_file" "tls/tls.key" "client_ca_file" "tls/ca.crt")
      "grants_file" "grants.yaml") -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/* The environment variable carrying a secret Kafka property ("sasl.password" → KAFKA_SECRET_SASL_PASSWORD). */}}
{{- define "referral-gateway.secretEnv" -}}
{{- printf "KAFKA_SECRET_%s" (. | upper | replace "." "_" | replace "-" "_") -}}
{{- end -}}

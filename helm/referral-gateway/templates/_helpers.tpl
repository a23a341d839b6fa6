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
The services: HTTP (metrics, health) port, gRPC port (0: none) and the plaintext port serving
gRPC health alone, for the kubelet's gRPC probes (grpc.health_listen; the gRPC port is mTLS only).
The ports are the services' defaults (deploy/config).
*/}}
{{- define "referral-gateway.services" -}}
standardiser: {http: 9101, grpc: 0, health: 0}
router: {http: 9102, grpc: 0, health: 0}
feed: {http: 9103, grpc: 50051, health: 50061}
intake: {http: 9104, grpc: 50052, health: 50062}
monitor: {http: 9105, grpc: 0, health: 0}
{{- end -}}

{{/*
A service's topic names: its own `config.topics` over the defaults of the Topics message
(proto/referral/config/v1/config.proto), and the monitor's state topic. Call with
(dict "root" $ "name" "feed").
*/}}
{{- define "referral-gateway.topics" -}}
{{- $defaults := dict
      "incidents" "incidents.v1"
      "dead_letters" "incidents.dlq.v1"
      "standardised" "referrals.standardised.v1"
      "front_door_template" "referrals.frontdoor.{la}.v1"
      "edt_template" "referrals.edt.{edt}.v1"
      "triage" "referrals.triage.v1"
      "routing_dead_letters" "referrals.dlq.v1"
      "audit" "referrals.audit.v1"
      "feedback" "referrals.feedback.v1" -}}
{{- $config := default dict (index .root.Values .name).config -}}
{{- $topics := merge (deepCopy (default dict $config.topics)) $defaults -}}
{{- $_ := set $topics "state" (default "referrals.monitor.state.v1" $config.state_topic) -}}
{{- toYaml $topics -}}
{{- end -}}

{{/* The LA directory the chart ships or values give, as YAML. */}}
{{- define "referral-gateway.directory" -}}
{{- if .Values.directory -}}
{{- toYaml .Values.directory -}}
{{- else -}}
{{- .Files.Get "files/directory.yaml" -}}
{{- end -}}
{{- end -}}

{{/* A service's consumer group (kafka.group_id; default the service's name). */}}
{{- define "referral-gateway.group" -}}
{{- $config := default dict (index .root.Values .name).config -}}
{{- default .name (default dict $config.kafka).group_id -}}
{{- end -}}

{{/* The Kafka user a service authenticates as, with strimzi.users.enabled. */}}
{{- define "referral-gateway.kafkaUser" -}}
{{- printf "%s-%s" (include "referral-gateway.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
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
{{- $secrets := include "referral-gateway.secretProperties" . | fromYaml -}}
{{- if $root.Values.strimzi.users.enabled -}}
{{- $_ := set $properties "sasl.mechanism" "SCRAM-SHA-512" -}}
{{- $_ := set $properties "sasl.username" (include "referral-gateway.kafkaUser" .) -}}
{{- end -}}
{{- if $properties -}}
{{- $_ := set $kafka "properties" $properties -}}
{{- end -}}
{{- if $secrets -}}
{{- $fromEnv := dict -}}
{{- range $property, $ref := $secrets -}}
{{- $_ := set $fromEnv $property (include "referral-gateway.secretEnv" $property) -}}
{{- end -}}
{{- $_ := set $kafka "secret_properties_from_env" $fromEnv -}}
{{- end -}}
{{- if $root.Values.strimzi.topics.enabled -}}
{{- /* The operator makes the topics; a service must not make one it lacks with other settings. */ -}}
{{- $_ := set $kafka "missing_topics" "REFUSE" -}}
{{- end -}}
{{- $_ := set $config "kafka" $kafka -}}
{{- if gt (int .ports.grpc) 0 -}}
{{- $_ := set $config "grpc" (dict
      "listen" (printf "0.0.0.0:%v" .ports.grpc)
      "health_listen" (printf "0.0.0.0:%v" .ports.health)
      "tls" (dict "cert_file" "tls/tls.crt" "key_file" "tls/tls.key" "client_ca_file" "tls/ca.crt")
      "grants_file" "grants.yaml") -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/*
A service's secret Kafka properties, {property: {secretName, key}}: kafka.secretProperties, and
with strimzi.users.enabled its own user's password from the Secret the User Operator makes.
Call with (dict "root" $ "name" "feed").
*/}}
{{- define "referral-gateway.secretProperties" -}}
{{- $secrets := deepCopy .root.Values.kafka.secretProperties -}}
{{- if .root.Values.strimzi.users.enabled -}}
{{- $protocol := index .root.Values.kafka.properties "security.protocol" | default "" -}}
{{- if not (hasPrefix "SASL_" $protocol) -}}
{{- fail "strimzi.users.enabled: kafka.properties.security.protocol must be SASL_SSL (or SASL_PLAINTEXT): the users authenticate with SCRAM-SHA-512" -}}
{{- end -}}
{{- $_ := set $secrets "sasl.password" (dict "secretName" (include "referral-gateway.kafkaUser" .) "key" "password") -}}
{{- end -}}
{{- toYaml $secrets -}}
{{- end -}}

{{/* The environment variable carrying a secret Kafka property ("sasl.password" → KAFKA_SECRET_SASL_PASSWORD). */}}
{{- define "referral-gateway.secretEnv" -}}
{{- printf "KAFKA_SECRET_%s" (. | upper | replace "." "_" | replace "-" "_") -}}
{{- end -}}

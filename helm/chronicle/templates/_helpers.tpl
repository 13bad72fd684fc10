{{/* Shared pieces of the service templates. Most take (dict "root" $ "name" "<service>"). */}}

{{- define "chronicle.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{- define "chronicle.labels" -}}
{{ include "chronicle.selector" . }}
app.kubernetes.io/part-of: chronicle
app.kubernetes.io/version: {{ .root.Values.image.tag | quote }}
{{- end }}

{{- define "chronicle.image" -}}
{{ .root.Values.image.repository }}/{{ .name }}:{{ .root.Values.image.tag }}
{{- end }}

{{/* The sidecar calls the app's gRPC port: app callback (pub/sub deliveries) and service invocation. It sends the
app API token from the app's own Secret (key "token") on every call, and the injector gives the app the same value as
APP_API_TOKEN: the app answers nothing on that port without it, and refuses to start without one. */}}
{{- define "chronicle.daprAnnotations" -}}
dapr.io/enabled: "true"
dapr.io/app-id: {{ .name }}
dapr.io/app-protocol: grpc
dapr.io/app-port: {{ .grpcPort | quote }}
dapr.io/app-token-secret: {{ printf "%s-%s-app-api-token" .root.Release.Name .name }}
dapr.io/sidecar-cpu-request: 50m
dapr.io/sidecar-memory-request: 64Mi
dapr.io/sidecar-memory-limit: 256Mi
{{- end }}

{{/* How Identity, Record and Audit publish and receive: through their Dapr sidecar (libs/Messaging, MessagingOptions). */}}
{{- define "chronicle.messagingEnv" -}}
- name: Chronicle__Transport
  value: dapr
- name: Chronicle__AppId
  value: {{ .name }}
- name: Chronicle__PubSubName
  value: pubsub
{{- include "chronicle.telemetryEnv" . }}
{{- end }}

{{/* OpenTelemetry (libs/ServiceDefaults ServiceTelemetry): nothing is exported while the endpoint is "". */}}
{{- define "chronicle.telemetryEnv" }}
- name: Chronicle__Telemetry__OtlpEndpoint
  value: {{ .root.Values.telemetry.otlpEndpoint | quote }}
- name: Chronicle__Logging__Format
  value: {{ ternary "json" "simple" .root.Values.telemetry.jsonLogs | quote }}
{{- end }}

{{/* Where tokens are checked (libs/Security, ChronicleSecurityOptions). Patient access is asked of Identity's Access
service by Dapr service invocation (app id "identity"), through the sidecar, never straight to an Identity pod. */}}
{{- define "chronicle.securityEnv" -}}
- name: Chronicle__Security__Authority
  value: {{ .root.Values.identity.issuer | quote }}
- name: Chronicle__Security__RequireHttpsMetadata
  value: {{ .root.Values.identity.requireHttps | quote }}
{{- end }}

{{- define "chronicle.databaseEnv" -}}
- name: Chronicle__Storage
  value: postgres
- name: ConnectionStrings__{{ .connectionName }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: connection-string
{{- end }}

{{/* Startup allows five minutes to open the database (and create its schema) before the listeners bind. */}}
{{- define "chronicle.probes" -}}
startupProbe:
  httpGet:
    path: {{ .liveness }}
    port: http
  periodSeconds: 5
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: {{ .liveness }}
    port: http
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: {{ .readiness }}
    port: http
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end }}

{{/* 1654 is the non-root "app" user of the .NET images (USER $APP_UID in the Dockerfiles). */}}
{{- define "chronicle.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1654
runAsGroup: 1654
fsGroup: 1654
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "chronicle.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
{{- end }}

{{/* Only the HTTP port and the sidecar's own ports are reachable from the network; the app's gRPC port is for its
sidecar (the app binds it to loopback under Dapr, and it is not admitted here). */}}
{{- define "chronicle.networkPolicy" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .root.Release.Name }}-{{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "chronicle.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "chronicle.selector" . | nindent 6 }}
  policyTypes:
    - Ingress
  ingress:
    - ports:
        - port: {{ .httpPort }}
          protocol: TCP
        # Dapr: sidecar-to-sidecar service invocation, sidecar health, metrics.
        - port: 50002
          protocol: TCP
        - port: 3501
          protocol: TCP
        - port: 9090
          protocol: TCP
{{- end }}

{{/* The objects are named "backend" whatever the release is called: the runbook uses that name. */}}
{{- define "backend.name" -}}backend{{- end -}}

{{- define "backend.selectorLabels" -}}
app: backend
app.kubernetes.io/name: backend
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels plus the rest of the recommended set; version and managed-by may change
     between releases, so they stay out of the (immutable) selector. */}}
{{- define "backend.labels" -}}
{{ include "backend.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: api
app.kubernetes.io/part-of: tickets
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Labels of the load-test Job and its pods: app=backend-loadtest, so that nothing that
     selects app=backend (Service, PDB, ServiceMonitor, NetworkPolicy) takes them for the shop. */}}
{{- define "backend.loadtestLabels" -}}
app: backend-loadtest
app.kubernetes.io/name: backend-loadtest
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: loadtest
app.kubernetes.io/part-of: tickets
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Labels of the monitoring objects, the same as monitoring/generate.py gives them. */}}
{{- define "backend.monitoringLabels" -}}
app.kubernetes.io/part-of: tickets
app.kubernetes.io/component: monitoring
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "backend.accountId" -}}
{{- required "aws.accountId is required (12 digits, from terraform output of the environment)" .Values.aws.accountId -}}
{{- end -}}

{{- define "backend.image" -}}
{{- $repo := .Values.image.repository -}}
{{- if not $repo -}}
{{- $repo = printf "%s.dkr.ecr.%s.amazonaws.com/tickets-backend" (include "backend.accountId" .) .Values.aws.region -}}
{{- end -}}
{{- printf "%s:%s" $repo (required "image.tag is required: --set image.tag=sha-<git short sha>" .Values.image.tag) -}}
{{- end -}}

{{- define "backend.roleArn" -}}
{{- .Values.serviceAccount.roleArn | default (printf "arn:aws:iam::%s:role/tickets-%s-backend" (include "backend.accountId" .) .Values.environment) -}}
{{- end -}}

{{- define "backend.terminationGracePeriodSeconds" -}}
{{- add .Values.shutdown.drainSeconds .Values.shutdown.timeoutSeconds .Values.shutdown.marginSeconds -}}
{{- end -}}

{{/* DB_POOL_SIZE as the pods get it: from the env list, else ticketsd's default of 20. */}}
{{- define "backend.dbPoolSize" -}}
{{- $size := 20 -}}
{{- range .Values.env -}}
{{- if eq .name "DB_POOL_SIZE" }}{{ $size = .value | int }}{{ end -}}
{{- end -}}
{{- $size -}}
{{- end -}}

{{- define "backend.maxReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.maxReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end -}}
{{- end -}}

{{/* Checks across values that values.schema.json cannot express. */}}
{{- define "backend.checks" -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- fail (printf "autoscaling.minReplicas (%v) is greater than autoscaling.maxReplicas (%v)" .Values.autoscaling.minReplicas .Values.autoscaling.maxReplicas) -}}
{{- end -}}
{{- range .Values.env -}}
{{- if has .name (list "DATABASE_URL" "DATA_DIR" "PORT" "SHUTDOWN_DRAIN_SECONDS" "SHUTDOWN_TIMEOUT_SECONDS" "TRUSTED_PROXIES") -}}
{{- fail (printf "env: %s is set by the chart (see values.yaml: database, shutdown, trustedProxies); remove it from env" .name) -}}
{{- end -}}
{{- end -}}
{{- $budget := int .Values.database.connectionBudget -}}
{{- if gt $budget 0 -}}
{{- $pool := int (include "backend.dbPoolSize" .) -}}
{{- $max := int (include "backend.maxReplicas" .) -}}
{{- $need := mul $max (add $pool 1) -}}
{{- if gt (int $need) $budget -}}
{{- fail (printf "%d replicas x (DB_POOL_SIZE %d + 1 readiness connection) = %d database connections, more than database.connectionBudget %d" $max $pool $need $budget) -}}
{{- end -}}
{{- end -}}
{{- end -}}

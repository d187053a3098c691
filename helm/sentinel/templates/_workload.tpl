{{/*
The objects every service gets. Each templates/<service>.yaml calls "sentinel.workload" with
dict "root" $ "svc" <key>, plus the service's own env, volumes and mounts as YAML strings.
*/}}

{{/* Quarkus serves REST and gRPC on this one port (quarkus.grpc.server.use-separate-server=false). */}}
{{- define "sentinel.httpPort" -}}8080{{- end }}

{{- define "sentinel.workload" -}}
{{- $root := .root -}}
{{- $values := get $root.Values.services .svc -}}
{{- $name := include "sentinel.fullname" . -}}
{{- $autoscaling := $values.autoscaling | default dict -}}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ $name }}
  {{- include "sentinel.namespace" $root | nindent 2 }}
  labels:
    {{- include "sentinel.labels" . | nindent 4 }}
# The services never call the Kubernetes API.
automountServiceAccountToken: false
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  {{- include "sentinel.namespace" $root | nindent 2 }}
  labels:
    {{- include "sentinel.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "sentinel.selectorLabels" . | nindent 4 }}
  ports:
    # REST and gRPC (HTTP/2 cleartext) share this port.
    - name: http
      port: {{ include "sentinel.httpPort" . }}
      targetPort: http
      protocol: TCP
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  {{- include "sentinel.namespace" $root | nindent 2 }}
  labels:
    {{- include "sentinel.labels" . | nindent 4 }}
spec:
  {{- if not $autoscaling.enabled }}
  replicas: {{ $values.replicas }}
  {{- end }}
  revisionHistoryLimit: 3
  {{- if .recreate }}
  # The ReadWriteOnce claim can be mounted by one pod only: stop the old one first.
  strategy:
    type: Recreate
  {{- end }}
  selector:
    matchLabels:
      {{- include "sentinel.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "sentinel.labels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ $name }}
      automountServiceAccountToken: false
      # Peers are reached by the env below; service links would leak every Service into env.
      enableServiceLinks: false
      terminationGracePeriodSeconds: 30
      {{- with $root.Values.image.pullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: {{ $root.Values.runAsUser }}
        runAsGroup: {{ $root.Values.runAsUser }}
        fsGroup: {{ $root.Values.runAsUser }}
        seccompProfile:
          type: RuntimeDefault
      affinity:
        # Residency: the pod may only run on nodes of the agency's region.
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - key: topology.kubernetes.io/region
                    operator: In
                    values:
                      - {{ include "sentinel.region" $root }}
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- include "sentinel.selectorLabels" . | nindent 20 }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: {{ $root.Values.residency.zoneSpread }}
          # Unreachable (tainted) nodes must not hold the spread hostage during a zone outage.
          nodeTaintsPolicy: Honor
          labelSelector:
            matchLabels:
              {{- include "sentinel.selectorLabels" . | nindent 14 }}
      containers:
        - name: {{ (get (include "sentinel.catalog" . | fromYaml) .svc).name }}
          image: {{ include "sentinel.image" . }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ include "sentinel.httpPort" . }}
              protocol: TCP
          env:
            {{- include "sentinel.commonEnv" . | nindent 12 }}
            {{- with .extraEnv }}
            {{- . | nindent 12 }}
            {{- end }}
          startupProbe:
            httpGet:
              path: /q/health/started
              port: http
            periodSeconds: 5
            timeoutSeconds: 3
            # Up to 3 minutes for migrations and model loading before liveness takes over.
            failureThreshold: 36
          livenessProbe:
            httpGet:
              path: /q/health/live
              port: http
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /q/health/ready
              port: http
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 3
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            runAsNonRoot: true
            runAsUser: {{ $root.Values.runAsUser }}
            runAsGroup: {{ $root.Values.runAsUser }}
            privileged: false
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL
            seccompProfile:
              type: RuntimeDefault
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: jwt-verify-key
              mountPath: /etc/sentinel/jwt
              readOnly: true
            - name: service-token-key
              mountPath: /etc/sentinel/service-token
              readOnly: true
            {{- with .extraVolumeMounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $root.Values.tmpSizeLimit }}
        - name: jwt-verify-key
          secret:
            secretName: {{ include "sentinel.jwtVerifySecret" $root }}
            # 0440: readable by the fsGroup, nobody else.
            defaultMode: 288
            items:
              - key: {{ $root.Values.auth.verifyKey.key }}
                path: {{ $root.Values.auth.verifyKey.key }}
        - name: service-token-key
          secret:
            secretName: {{ include "sentinel.serviceTokenSecret" $root }}
            defaultMode: 288
            items:
              - key: {{ $root.Values.auth.serviceTokenKey.key }}
                path: {{ $root.Values.auth.serviceTokenKey.key }}
        {{- with .extraVolumes }}
        {{- . | nindent 8 }}
        {{- end }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $name }}
  {{- include "sentinel.namespace" $root | nindent 2 }}
  labels:
    {{- include "sentinel.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ $values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "sentinel.selectorLabels" . | nindent 6 }}
{{- if $autoscaling.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $name }}
  {{- include "sentinel.namespace" $root | nindent 2 }}
  labels:
    {{- include "sentinel.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name }}
  minReplicas: {{ $autoscaling.minReplicas }}
  maxReplicas: {{ $autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{ include "sentinel.networkPolicy" . }}
{{- end }}

{{/* Environment every service reads. Secrets only by reference, never by value. */}}
{{- define "sentinel.commonEnv" -}}
{{- $root := .root -}}
{{- $db := (get $root.Values.services .svc).database -}}
- name: SENTINEL_AGENCY_ID
  value: {{ include "sentinel.agencyId" $root | quote }}
- name: DB_URL
  value: {{ printf "postgresql://%s:%d/%s" $db.host (int $db.port) (include "sentinel.databaseName" .) | quote }}
- name: DB_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "sentinel.databaseSecret" . }}
      key: {{ $db.usernameKey }}
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "sentinel.databaseSecret" . }}
      key: {{ $db.passwordKey }}
- name: JWT_ISSUER
  value: {{ required "auth.jwtIssuer is required" $root.Values.auth.jwtIssuer | quote }}
- name: JWT_VERIFY_KEY_LOCATION
  value: {{ printf "/etc/sentinel/jwt/%s" $root.Values.auth.verifyKey.key | quote }}
- name: SERVICE_TOKEN_KEY_LOCATION
  value: {{ printf "/etc/sentinel/service-token/%s" $root.Values.auth.serviceTokenKey.key | quote }}
{{- /* Every peer address is set, even for peers this service does not call or that are
       disabled: the names are deterministic, and the NetworkPolicy, not the environment,
       decides who may reach whom. */}}
{{- range $key, $peer := include "sentinel.catalog" . | fromYaml }}
- name: {{ $peer.envPrefix }}_GRPC_HOST
  value: {{ include "sentinel.fullname" (dict "root" $root "svc" $key) | quote }}
- name: {{ $peer.envPrefix }}_GRPC_PORT
  value: {{ include "sentinel.httpPort" . | quote }}
{{- end }}
{{- end }}

{{/*
Allow-list of one service, on top of the namespace-wide default deny: ingress from the release
services that call it, the ingress controller (public services) and declared partners; egress
to DNS, the services it calls, its own database and declared partner endpoints.
*/}}
{{- define "sentinel.networkPolicy" -}}
{{- $root := .root -}}
{{- $svcKey := .svc -}}
{{- $values := get $root.Values.services $svcKey -}}
{{- $catalog := include "sentinel.catalog" . | fromYaml -}}
{{- $port := include "sentinel.httpPort" . | int -}}
{{- $ingress := list -}}
{{- $egress := list -}}
{{- range $key, $svc := $catalog -}}
{{- if and (has $svcKey $svc.calls) (get $root.Values.services $key).enabled -}}
{{- $ingress = append $ingress (dict "from" (list (dict "podSelector" (dict "matchLabels" (include "sentinel.selectorLabels" (dict "root" $root "svc" $key) | fromYaml)))) "ports" (list (dict "port" $port "protocol" "TCP"))) -}}
{{- end -}}
{{- end -}}
{{- if and $values.public $root.Values.ingressController.networkPeers -}}
{{- $ingress = append $ingress (dict "from" (include "sentinel.networkPeers" $root.Values.ingressController.networkPeers | fromYamlArray) "ports" (list (dict "port" $port "protocol" "TCP"))) -}}
{{- end -}}
{{- range $root.Values.partners -}}
{{- if and .inbound (has $svcKey .inbound.services) -}}
{{- $ingress = append $ingress (dict "from" (include "sentinel.networkPeers" .inbound.networkPeers | fromYamlArray) "ports" (list (dict "port" $port "protocol" "TCP"))) -}}
{{- end -}}
{{- end -}}
{{- $egress = append $egress (dict "to" (include "sentinel.networkPeers" $root.Values.dns.networkPeers | fromYamlArray) "ports" (list (dict "port" 53 "protocol" "UDP") (dict "port" 53 "protocol" "TCP"))) -}}
{{- range $callee := (get $catalog $svcKey).calls -}}
{{- $egress = append $egress (dict "to" (list (dict "podSelector" (dict "matchLabels" (include "sentinel.selectorLabels" (dict "root" $root "svc" $callee) | fromYaml)))) "ports" (list (dict "port" $port "protocol" "TCP"))) -}}
{{- end -}}
{{- $egress = append $egress (dict "to" (include "sentinel.networkPeers" $values.database.networkPeers | fromYamlArray) "ports" (list (dict "port" (int $values.database.port) "protocol" "TCP"))) -}}
{{- range $root.Values.partners -}}
{{- if and .outbound (has $svcKey .outbound.services) -}}
{{- $ports := list -}}
{{- range .outbound.ports -}}
{{- $ports = append $ports (dict "port" (int .) "protocol" "TCP") -}}
{{- end -}}
{{- $egress = append $egress (dict "to" (include "sentinel.networkPeers" .outbound.networkPeers | fromYamlArray) "ports" $ports) -}}
{{- end -}}
{{- end -}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "sentinel.fullname" . }}
  {{- include "sentinel.namespace" $root | nindent 2 }}
  labels:
    {{- include "sentinel.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "sentinel.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    {{- if $ingress }}
    {{- toYaml $ingress | nindent 4 }}
    {{- else }} []
    {{- end }}
  egress:
    {{- toYaml $egress | nindent 4 }}
{{- end }}

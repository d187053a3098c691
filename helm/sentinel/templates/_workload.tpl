{{/*
The objects every service gets. Each templates/<service>.yaml calls "sentinel.workload" with
dict "root" $ "svc" <key>, plus the service's own env, volumes and mounts as YAML strings and
extra egress rules as a list.
*/}}

{{/*
Quarkus serves REST and gRPC on this one port (quarkus.grpc.server.use-separate-server=false),
in production over TLS only (quarkus.http.ssl-port = quarkus.http.port, insecure requests disabled).
*/}}
{{- define "sentinel.httpPort" -}}8080{{- end }}

{{/* Where key and certificate material is mounted; the environment points at these files. */}}
{{- define "sentinel.paths" -}}
jwt: /etc/sentinel/jwt
serviceToken: /etc/sentinel/service-token
peerKeys: /etc/sentinel/peer-keys
tls: /etc/sentinel/tls
dbCa: /etc/sentinel/db-ca
mqttCa: /etc/sentinel/mqtt-ca
auditKey: /etc/sentinel/audit-key
auditCheckpoints: /var/lib/sentinel/audit-checkpoints
{{- end }}

{{/* The Secrets every service's pod reads, by name (a YAML list). Takes dict root, svc. */}}
{{- define "sentinel.secretNames" -}}
- {{ include "sentinel.jwtVerifySecret" .root }}
- {{ include "sentinel.serviceTokenSecret" . }}
- {{ include "sentinel.tlsSecret" . }}
- {{ include "sentinel.databaseCaSecret" . }}
- {{ include "sentinel.auditKeySecret" . }}
- {{ include "sentinel.databaseSecret" . }}
- {{ include "sentinel.databaseMigrationSecret" . }}
{{- end }}

{{- define "sentinel.workload" -}}
{{- $root := .root -}}
{{- $values := get $root.Values.services .svc -}}
{{- $name := include "sentinel.fullname" . -}}
{{- $autoscaling := $values.autoscaling | default dict -}}
{{- $paths := include "sentinel.paths" . | fromYaml -}}
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
  # Headless: DNS answers with every ready pod, and the callers' gRPC clients balance round-robin
  # over them (QUARKUS_GRPC_CLIENTS_<PEER>_LOAD_BALANCING_POLICY). Through a ClusterIP one HTTP/2
  # connection, with every stream on it, would stay pinned to one pod.
  clusterIP: None
  # A caller must not start a call to a pod that is not ready yet.
  publishNotReadyAddresses: false
  selector:
    {{- include "sentinel.selectorLabels" . | nindent 4 }}
  ports:
    # REST and gRPC (HTTP/2, negotiated by ALPN) share this port, over TLS only. The name stays
    # "http" (it is what quarkus-kubernetes generates); appProtocol tells meshes and gateways
    # that the backend speaks TLS.
    - name: http
      port: {{ include "sentinel.httpPort" . }}
      targetPort: http
      protocol: TCP
      appProtocol: https
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
  selector:
    matchLabels:
      {{- include "sentinel.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "sentinel.labels" . | nindent 8 }}
      annotations:
        {{- /* The services read keys and certificates once, at start, so a rotated Secret must
               restart the pods. The chart never sees Secret contents (it creates none, and a
               lookup would tie rendering to a live cluster): the checksum covers which Secrets
               and keys the pod reads plus secretsRevision, which the agency bumps on rotation. */}}
        checksum/secrets: {{ printf "%s|%s" (concat (include "sentinel.secretNames" . | fromYamlArray) (.extraSecrets | default list) | toJson) $root.Values.secretsRevision | sha256sum | quote }}
        sentinel.io/secrets-revision: {{ $root.Values.secretsRevision | quote }}
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
          # HTTPS: the kubelet neither verifies the certificate nor presents one, and the health
          # endpoints need no client certificate.
          startupProbe:
            httpGet:
              path: /q/health/started
              port: http
              scheme: HTTPS
            periodSeconds: 5
            timeoutSeconds: 3
            # Up to 3 minutes for migrations and model loading before liveness takes over.
            failureThreshold: 36
          livenessProbe:
            httpGet:
              path: /q/health/live
              port: http
              scheme: HTTPS
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /q/health/ready
              port: http
              scheme: HTTPS
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
              mountPath: {{ $paths.jwt }}
              readOnly: true
            - name: service-token-key
              mountPath: {{ $paths.serviceToken }}
              readOnly: true
            - name: service-token-peer-keys
              mountPath: {{ $paths.peerKeys }}
              readOnly: true
            - name: tls
              mountPath: {{ $paths.tls }}
              readOnly: true
            - name: db-ca
              mountPath: {{ $paths.dbCa }}
              readOnly: true
            - name: audit-key
              mountPath: {{ $paths.auditKey }}
              readOnly: true
            # Written: signed checkpoints are appended here (the root filesystem is read-only).
            - name: audit-checkpoints
              mountPath: {{ $paths.auditCheckpoints }}
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
        # This service's own signing key, and no other service's.
        - name: service-token-key
          secret:
            secretName: {{ include "sentinel.serviceTokenSecret" . }}
            defaultMode: 288
            items:
              - key: {{ $values.serviceTokenKey.key }}
                path: {{ $values.serviceTokenKey.key }}
        # Public keys of the release's services: a missing one for an enabled service stops the
        # pod at mount time instead of refusing that service's calls later.
        - name: service-token-peer-keys
          configMap:
            name: {{ include "sentinel.serviceTokenPublicKeysConfigMap" $root }}
            defaultMode: 288
            items:
              {{- range $key, $peer := include "sentinel.catalog" . | fromYaml }}
              {{- if (get $root.Values.services $key).enabled }}
              - key: {{ $peer.name }}.pem
                path: {{ $peer.name }}.pem
              {{- end }}
              {{- end }}
        - name: tls
          secret:
            secretName: {{ include "sentinel.tlsSecret" . }}
            defaultMode: 288
            items:
              - key: tls.crt
                path: tls.crt
              - key: tls.key
                path: tls.key
              - key: ca.crt
                path: ca.crt
        - name: db-ca
          secret:
            secretName: {{ include "sentinel.databaseCaSecret" . }}
            defaultMode: 288
            items:
              - key: {{ $values.database.tls.caSecret.key }}
                path: {{ $values.database.tls.caSecret.key }}
        # The key of this service's audit chain, and no other service's.
        - name: audit-key
          secret:
            secretName: {{ include "sentinel.auditKeySecret" . }}
            defaultMode: 288
            items:
              - key: {{ $values.audit.keySecret.key }}
                path: {{ $values.audit.keySecret.key }}
        - name: audit-checkpoints
          {{- with $root.Values.audit.checkpoints.existingClaim }}
          # ReadWriteMany, shared by every service's pods: each appends to its own <service>.checkpoints.
          persistentVolumeClaim:
            claimName: {{ . }}
          {{- else }}
          # Lost with the pod: the log stream (category sentinel.audit.checkpoint) is then the only durable copy.
          emptyDir: {}
          {{- end }}
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
{{- $values := get $root.Values.services .svc -}}
{{- $db := $values.database -}}
{{- $paths := include "sentinel.paths" . | fromYaml -}}
- name: SENTINEL_AGENCY_ID
  value: {{ include "sentinel.agencyId" $root | quote }}
{{- with $root.Values.partners }}
{{- $ids := list }}
{{- range . }}
{{- $ids = append $ids .id }}
{{- end }}
- name: SENTINEL_AGENCY_PARTNERS
  value: {{ join "," $ids | quote }}
{{- end }}
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
{{- /* Flyway's role: owns the audit log and its triggers, which the service's role must not. */}}
- name: DB_MIGRATION_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "sentinel.databaseMigrationSecret" . }}
      key: {{ $db.migration.usernameKey }}
- name: DB_MIGRATION_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "sentinel.databaseMigrationSecret" . }}
      key: {{ $db.migration.passwordKey }}
- name: DB_SSL_MODE
  value: {{ $db.tls.sslMode | quote }}
- name: DB_CA_FILE
  value: {{ printf "%s/%s" $paths.dbCa $db.tls.caSecret.key | quote }}
- name: JWT_ISSUER
  value: {{ required "auth.jwtIssuer is required" $root.Values.auth.jwtIssuer | quote }}
- name: JWT_AUDIENCE
  value: {{ required "auth.jwtAudience is required" $root.Values.auth.jwtAudience | quote }}
- name: JWT_VERIFY_KEY_LOCATION
  value: {{ printf "%s/%s" $paths.jwt $root.Values.auth.verifyKey.key | quote }}
- name: SERVICE_TOKEN_KEY_LOCATION
  value: {{ printf "%s/%s" $paths.serviceToken $values.serviceTokenKey.key | quote }}
- name: SERVICE_TOKEN_PEER_KEYS_DIR
  value: {{ $paths.peerKeys | quote }}
- name: TLS_CERT_FILE
  value: {{ printf "%s/tls.crt" $paths.tls | quote }}
- name: TLS_KEY_FILE
  value: {{ printf "%s/tls.key" $paths.tls | quote }}
- name: TLS_CA_FILE
  value: {{ printf "%s/ca.crt" $paths.tls | quote }}
- name: AUDIT_KEY_FILE
  value: {{ printf "%s/%s" $paths.auditKey $values.audit.keySecret.key | quote }}
- name: AUDIT_CHECKPOINT_DIR
  value: {{ $paths.auditCheckpoints | quote }}
{{- /* Every peer address is set, even for peers this service does not call or that are
       disabled: the names are deterministic, and the NetworkPolicy, not the environment,
       decides who may reach whom. */}}
{{- range $callee := (get (include "sentinel.catalog" . | fromYaml) .svc).calls }}
- name: {{ printf "QUARKUS_GRPC_CLIENTS_%s_LOAD_BALANCING_POLICY" (upper $callee) }}
  value: round_robin
{{- end }}
{{- range $key, $peer := include "sentinel.catalog" . | fromYaml }}
- name: {{ $peer.envPrefix }}_GRPC_HOST
  value: {{ include "sentinel.fullname" (dict "root" $root "svc" $key) | quote }}
- name: {{ $peer.envPrefix }}_GRPC_PORT
  value: {{ include "sentinel.httpPort" . | quote }}
{{- end }}
{{- end }}

{{/* Peers: the pods of a same-cluster partner's named services. Takes dict partner, services. */}}
{{- define "sentinel.partnerPods" -}}
{{- $partner := .partner -}}
{{- range .services }}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ $partner }}
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {{ (get (include "sentinel.catalog" $ | fromYaml) .).name }}
      app.kubernetes.io/instance: {{ $partner }}
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
{{- /* Partners in the same cluster, pod to pod; those in another cluster come through the
       ingress controller (validatePartners requires the service to be public). */ -}}
{{- range $root.Values.partners -}}
{{- if and .sameCluster .inbound (has $svcKey .inbound.services) -}}
{{- $ingress = append $ingress (dict "from" (include "sentinel.partnerPods" (dict "partner" .id "services" .inbound.from) | fromYamlArray) "ports" (list (dict "port" $port "protocol" "TCP"))) -}}
{{- end -}}
{{- end -}}
{{- $egress = append $egress (dict "to" (include "sentinel.networkPeers" $root.Values.dns.networkPeers | fromYamlArray) "ports" (list (dict "port" 53 "protocol" "UDP") (dict "port" 53 "protocol" "TCP"))) -}}
{{- range $callee := (get $catalog $svcKey).calls -}}
{{- $egress = append $egress (dict "to" (list (dict "podSelector" (dict "matchLabels" (include "sentinel.selectorLabels" (dict "root" $root "svc" $callee) | fromYaml)))) "ports" (list (dict "port" $port "protocol" "TCP"))) -}}
{{- end -}}
{{- $egress = append $egress (dict "to" (include "sentinel.networkPeers" $values.database.networkPeers | fromYamlArray) "ports" (list (dict "port" (int $values.database.port) "protocol" "TCP"))) -}}
{{- range .extraEgress -}}
{{- $egress = append $egress . -}}
{{- end -}}
{{- /* Same cluster: the partner's named services' pods on their port. Another cluster: its
       ingress gateway on its port (our traffic leaves through our egress gateway). */ -}}
{{- range $root.Values.partners -}}
{{- if and .outbound (has $svcKey .outbound.services) -}}
{{- if .sameCluster -}}
{{- $egress = append $egress (dict "to" (include "sentinel.partnerPods" (dict "partner" .id "services" .outbound.to) | fromYamlArray) "ports" (list (dict "port" $port "protocol" "TCP"))) -}}
{{- else -}}
{{- $blocks := list -}}
{{- range .gateways.ingress.cidrs }}{{ $blocks = append $blocks (dict "cidr" .) }}{{ end -}}
{{- $egress = append $egress (dict "to" (include "sentinel.networkPeers" $blocks | fromYamlArray) "ports" (list (dict "port" (int .gateways.ingress.port) "protocol" "TCP"))) -}}
{{- end -}}
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

{{/*
Shared helpers. Every name starts with "sentinel." so a parent chart cannot collide with it.
*/}}

{{/*
The four services: their object name, the gRPC services a public one's Ingress routes (never the
sentinel.internal ones) and whom they call over gRPC. NetworkPolicies, peer addresses, Ingress
paths and the enabled-services check are all derived from this one table.
*/}}
{{- define "sentinel.catalog" -}}
enrollment:
  name: enrollment-svc
  envPrefix: ENROLLMENT
  publicGrpc: [sentinel.enrollment.v1.EnrollmentService, sentinel.audit.v1.AuditService]
  calls: [rules, location, biometric]
biometric:
  name: biometric-svc
  envPrefix: BIOMETRIC
  publicGrpc: [sentinel.biometric.v1.BiometricService, sentinel.audit.v1.AuditService]
  calls: [rules]
location:
  name: location-svc
  envPrefix: LOCATION
  publicGrpc: [sentinel.location.v1.LocationService, sentinel.audit.v1.AuditService]
  calls: [rules]
rules:
  name: rules-svc
  envPrefix: RULES
  publicGrpc: [sentinel.rules.v1.RulesService, sentinel.audit.v1.AuditService]
  calls: []
{{- end }}

{{- define "sentinel.agencyId" -}}
{{- required "agency.id is required (lower-case letters, digits and '-', e.g. gb-immigration)" .Values.agency.id -}}
{{- end }}

{{- define "sentinel.region" -}}
{{- required "residency.region is required (the topology.kubernetes.io/region the data must stay in)" .Values.residency.region -}}
{{- end }}

{{- define "sentinel.storageClass" -}}
{{- required "residency.storageClass is required: claims never fall back to the cluster default class" .Values.residency.storageClass -}}
{{- end }}

{{/* Object name of a service: "<agency>-<service>", so two agencies never share a name. */}}
{{- define "sentinel.fullname" -}}
{{- $svc := get (include "sentinel.catalog" . | fromYaml) .svc -}}
{{- printf "%s-%s" (include "sentinel.agencyId" .root) $svc.name -}}
{{- end }}

{{- define "sentinel.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* Labels every object carries, residency and agency included. Takes the root context. */}}
{{- define "sentinel.commonLabels" -}}
helm.sh/chart: {{ include "sentinel.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: sentinel
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
sentinel.io/agency: {{ include "sentinel.agencyId" . }}
sentinel.io/data-region: {{ include "sentinel.region" . }}
{{- end }}

{{/* Stable labels that select one service's pods (never the version). Takes dict root, svc. */}}
{{- define "sentinel.selectorLabels" -}}
{{- $svc := get (include "sentinel.catalog" . | fromYaml) .svc -}}
app.kubernetes.io/name: {{ $svc.name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* Labels of one service's objects. Takes dict root, svc. */}}
{{- define "sentinel.labels" -}}
{{ include "sentinel.commonLabels" .root }}
app.kubernetes.io/name: {{ (get (include "sentinel.catalog" . | fromYaml) .svc).name }}
app.kubernetes.io/component: {{ .svc }}
{{- end }}

{{/* metadata.namespace line shared by every object. */}}
{{- define "sentinel.namespace" -}}
namespace: {{ .Release.Namespace }}
{{- end }}

{{- define "sentinel.image" -}}
{{- $svc := get (include "sentinel.catalog" . | fromYaml) .svc -}}
{{- $image := .root.Values.image -}}
{{- $ref := printf "%s/%s/%s:%s" $image.registry $image.group $svc.name (default .root.Chart.AppVersion $image.tag) -}}
{{- with get ($image.digests | default dict) .svc -}}
{{- $ref = printf "%s@%s" $ref . -}}
{{- end -}}
{{- $ref -}}
{{- end }}

{{/* Database name: values, else "<agency with _>_<service key>" so agencies never share one. */}}
{{- define "sentinel.databaseName" -}}
{{- $db := (get .root.Values.services .svc).database -}}
{{- default (printf "%s_%s" (include "sentinel.agencyId" .root | replace "-" "_") .svc) $db.name -}}
{{- end }}

{{- define "sentinel.databaseSecret" -}}
{{- $db := (get .root.Values.services .svc).database -}}
{{- default (printf "%s-db" (include "sentinel.fullname" .)) $db.existingSecret -}}
{{- end }}

{{/* The Secret with the credentials of the role Flyway migrates as. Takes dict root, svc. */}}
{{- define "sentinel.databaseMigrationSecret" -}}
{{- $db := (get .root.Values.services .svc).database -}}
{{- default (printf "%s-db-migration" (include "sentinel.fullname" .)) $db.migration.existingSecret -}}
{{- end }}

{{/* The Secret with the key of one service's audit chain. Takes dict root, svc. */}}
{{- define "sentinel.auditKeySecret" -}}
{{- $values := get .root.Values.services .svc -}}
{{- default (printf "%s-audit-key" (include "sentinel.fullname" .)) $values.audit.keySecret.existingSecret -}}
{{- end }}

{{- define "sentinel.jwtVerifySecret" -}}
{{- default (printf "%s-jwt-verify" (include "sentinel.agencyId" .)) .Values.auth.verifyKey.existingSecret -}}
{{- end }}

{{/* The Secret with one service's own service-token private key. Takes dict root, svc. */}}
{{- define "sentinel.serviceTokenSecret" -}}
{{- $values := get .root.Values.services .svc -}}
{{- default (printf "%s-token-key" (include "sentinel.fullname" .)) $values.serviceTokenKey.existingSecret -}}
{{- end }}

{{/* The ConfigMap with every enabled service's public service-token key as <service>.pem. */}}
{{- define "sentinel.serviceTokenPublicKeysConfigMap" -}}
{{- default (printf "%s-service-token-public-keys" (include "sentinel.agencyId" .)) .Values.auth.serviceTokenPublicKeys.existingConfigMap -}}
{{- end }}

{{/* The kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt) of one service. Takes dict root, svc. */}}
{{- define "sentinel.tlsSecret" -}}
{{- $values := get .root.Values.services .svc -}}
{{- default (printf "%s-tls" (include "sentinel.fullname" .)) $values.tls.existingSecret -}}
{{- end }}

{{/* The Secret with the CA of one service's database server. Takes dict root, svc. */}}
{{- define "sentinel.databaseCaSecret" -}}
{{- $db := (get .root.Values.services .svc).database -}}
{{- default (printf "%s-db-ca" (include "sentinel.fullname" .)) $db.tls.caSecret.name -}}
{{- end }}

{{- define "sentinel.mqttPasswordSecret" -}}
{{- default (printf "%s-mqtt" (include "sentinel.fullname" (dict "root" . "svc" "location"))) .Values.services.location.mqtt.passwordSecret.name -}}
{{- end }}

{{- define "sentinel.mqttCaSecret" -}}
{{- default (printf "%s-mqtt-ca" (include "sentinel.fullname" (dict "root" . "svc" "location"))) .Values.services.location.mqtt.caSecret.name -}}
{{- end }}

{{/*
The names peers dial a service by, which its certificate must carry as DNS names (clients verify
host names). The namespace is the agency id, which the release namespace must equal.
Takes dict root, svc; returns a YAML list.
*/}}
{{- define "sentinel.serviceDnsNames" -}}
{{- $name := include "sentinel.fullname" . -}}
{{- $namespace := include "sentinel.agencyId" .root -}}
- {{ $name }}
- {{ printf "%s.%s" $name $namespace }}
- {{ printf "%s.%s.svc" $name $namespace }}
- {{ printf "%s.%s.svc.%s" $name $namespace .root.Values.tls.clusterDomain }}
{{- end }}

{{- define "sentinel.templateKeySecret" -}}
{{- default (printf "%s-biometric-template-key" (include "sentinel.agencyId" .)) .Values.services.biometric.templateKey.existingSecret -}}
{{- end }}


{{/*
NetworkPolicy peers from a list of {cidr, except} or {namespace, podLabels}. A namespace is
matched on kubernetes.io/metadata.name, which the API server sets and tenants cannot forge.
*/}}
{{- define "sentinel.networkPeers" -}}
{{- range . }}
{{- if .cidr }}
- ipBlock:
    cidr: {{ .cidr }}
    {{- with .except }}
    except:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- else }}
- {{- if .namespace }}
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ .namespace }}
  {{- end }}
  {{- if .podLabels }}
  podSelector:
    matchLabels:
      {{- toYaml .podLabels | nindent 6 }}
  {{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Checks that span several values, which values.schema.json cannot express. Included once, from
the default-deny policy, which is always rendered.
*/}}
{{- define "sentinel.validate" -}}
{{- $agency := include "sentinel.agencyId" . -}}
{{- $_ := include "sentinel.region" . -}}
{{- $_ := include "sentinel.storageClass" . -}}
{{- /* Only helm lint renders with no namespace; an install always has one. */ -}}
{{- if and .Release.Namespace (ne .Release.Namespace $agency) -}}
{{- fail (printf "release namespace %q must equal agency.id %q: one agency per namespace (install with -n %s)" .Release.Namespace $agency $agency) -}}
{{- end -}}
{{- $catalog := include "sentinel.catalog" . | fromYaml -}}
{{- $anyEnabled := false -}}
{{- range $key, $svc := $catalog -}}
{{- $values := get $.Values.services $key -}}
{{- if $values.enabled -}}
{{- $anyEnabled = true -}}
{{- range $callee := $svc.calls -}}
{{- if not (get $.Values.services $callee).enabled -}}
{{- fail (printf "services.%s.enabled is false but services.%s.enabled is true, and %s calls %s over gRPC" $callee $key $svc.name (get $catalog $callee).name) -}}
{{- end -}}
{{- end -}}
{{- $_ := required (printf "services.%s.database.host is required when services.%s.enabled is true" $key $key) $values.database.host -}}
{{- /* Each service signs with its own key and serves its own certificate: no two share a Secret. */ -}}
{{- range $other, $_ := $catalog -}}
{{- if and (lt $other $key) (get $.Values.services $other).enabled -}}
{{- if eq (include "sentinel.serviceTokenSecret" (dict "root" $ "svc" $key)) (include "sentinel.serviceTokenSecret" (dict "root" $ "svc" $other)) -}}
{{- fail (printf "services.%s.serviceTokenKey and services.%s.serviceTokenKey name the same Secret %q: each service signs its tokens with its own key, and no service may hold another's" $other $key (include "sentinel.serviceTokenSecret" (dict "root" $ "svc" $key))) -}}
{{- end -}}
{{- if eq (include "sentinel.auditKeySecret" (dict "root" $ "svc" $key)) (include "sentinel.auditKeySecret" (dict "root" $ "svc" $other)) -}}
{{- fail (printf "services.%s.audit.keySecret and services.%s.audit.keySecret name the same Secret %q: each service keys its own audit chain" $other $key (include "sentinel.auditKeySecret" (dict "root" $ "svc" $key))) -}}
{{- end -}}
{{- if eq (include "sentinel.tlsSecret" (dict "root" $ "svc" $key)) (include "sentinel.tlsSecret" (dict "root" $ "svc" $other)) -}}
{{- fail (printf "services.%s.tls and services.%s.tls name the same Secret %q: each service has its own certificate, naming it" $other $key (include "sentinel.tlsSecret" (dict "root" $ "svc" $key))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- /* The same Secret and key would make the service's role the migration role, which owns the
       audit log: the service refuses to start so (AuditDatabaseRoles); say why at install time. */ -}}
{{- $db := $values.database -}}
{{- if and (eq (include "sentinel.databaseSecret" (dict "root" $ "svc" $key)) (include "sentinel.databaseMigrationSecret" (dict "root" $ "svc" $key))) (eq $db.usernameKey $db.migration.usernameKey) -}}
{{- fail (printf "services.%s.database.migration names the same Secret %q and key %q as services.%s.database: migrations must run as a separate role that owns the audit log, which the service's role must not" $key (include "sentinel.databaseSecret" (dict "root" $ "svc" $key)) $db.usernameKey $key) -}}
{{- end -}}
{{- if not $values.database.networkPeers -}}
{{- fail (printf "services.%s.database.networkPeers must list where the database is (a cidr or a namespace/podLabels) when services.%s.enabled is true" $key $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not $anyEnabled -}}
{{- fail "services: at least one service must be enabled" -}}
{{- end -}}
{{- $_ := required "auth.jwtAudience is required: the audience people's tokens must name for this deployment (e.g. sentinel-<agency>)" .Values.auth.jwtAudience -}}
{{- if .Values.tls.certManager.enabled -}}
{{- $_ := required "tls.certManager.issuerRef.name is required when tls.certManager.enabled is true: the agency CA's Issuer or ClusterIssuer" .Values.tls.certManager.issuerRef.name -}}
{{- end -}}
{{- $mqtt := .Values.services.location.mqtt -}}
{{- if and .Values.services.location.enabled $mqtt.enabled -}}
{{- $_ := required "services.location.mqtt.host is required when services.location.mqtt.enabled is true" $mqtt.host -}}
{{- if not $mqtt.networkPeers -}}
{{- fail "services.location.mqtt.networkPeers must list where the MQTT broker is (a cidr or a namespace/podLabels) when services.location.mqtt.enabled is true" -}}
{{- end -}}
{{- end -}}
{{- range $key := list "location" "rules" -}}
{{- $as := (get $.Values.services $key).autoscaling -}}
{{- if and $as.enabled (gt (int $as.minReplicas) (int $as.maxReplicas)) -}}
{{- fail (printf "services.%s.autoscaling.minReplicas (%d) exceeds maxReplicas (%d)" $key (int $as.minReplicas) (int $as.maxReplicas)) -}}
{{- end -}}
{{- end -}}
{{- include "sentinel.validateNetworks" . -}}
{{- include "sentinel.validateResidency" . -}}
{{- include "sentinel.validateImages" . -}}
{{- include "sentinel.validateAvailability" . -}}
{{- include "sentinel.validatePartners" . -}}
{{- end }}

{{/* Every block a NetworkPolicy would carry, parsed: no /0 in any spelling, no host bits. */}}
{{- define "sentinel.validateNetworks" -}}
{{- include "sentinel.cidr.checkPeers" (dict "path" "dns.networkPeers" "peers" .Values.dns.networkPeers) -}}
{{- include "sentinel.cidr.checkPeers" (dict "path" "ingressController.networkPeers" "peers" .Values.ingressController.networkPeers) -}}
{{- range $key, $_ := include "sentinel.catalog" . | fromYaml -}}
{{- $values := get $.Values.services $key -}}
{{- if $values.enabled -}}
{{- include "sentinel.cidr.checkPeers" (dict "path" (printf "services.%s.database.networkPeers" $key) "peers" $values.database.networkPeers) -}}
{{- end -}}
{{- end -}}
{{- include "sentinel.cidr.checkPeers" (dict "path" "services.location.mqtt.networkPeers" "peers" .Values.services.location.mqtt.networkPeers) -}}
{{- range $i, $block := .Values.residency.networks -}}
{{- $problem := include "sentinel.cidr.problem" $block -}}
{{- if $problem }}{{ fail (printf "residency.networks[%d] %q %s" $i $block $problem) }}{{ end -}}
{{- end -}}
{{- range $direction := list "ingress" "egress" -}}
{{- range $i, $block := (get ($.Values.gateways | default dict) $direction | default dict).cidrs -}}
{{- $problem := include "sentinel.cidr.problem" $block -}}
{{- if $problem }}{{ fail (printf "gateways.%s.cidrs[%d] %q %s" $direction $i $block $problem) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range $i, $partner := .Values.partners -}}
{{- range $direction := list "ingress" "egress" -}}
{{- range $j, $block := (get ($partner.gateways | default dict) $direction | default dict).cidrs -}}
{{- $problem := include "sentinel.cidr.problem" $block -}}
{{- if $problem }}{{ fail (printf "partners[%d].gateways.%s.cidrs[%d] %q %s" $i $direction $j $block $problem) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
"true" when a host is in the region: a name with the region as one of its labels, an IP address
inside residency.networks, or a Service in the agency's namespace or its database namespace
<agency>-db (k8s/databases), whose pods k8s/admission pins to the region. Takes dict root, host.
*/}}
{{- define "sentinel.inRegion" -}}
{{- $region := include "sentinel.region" .root -}}
{{- $host := .host -}}
{{- if regexMatch "^[0-9.]+$|:" $host -}}
{{- $cidr := printf "%s/%s" $host (ternary "128" "32" (contains ":" $host)) -}}
{{- range .root.Values.residency.networks -}}
{{- if include "sentinel.cidr.contains" (dict "outer" . "inner" $cidr) }}true{{ end -}}
{{- end -}}
{{- else if has $region (splitList "." $host) -}}
true
{{- else if regexMatch (printf "^[a-z0-9]([a-z0-9-]*[a-z0-9])?\\.(%s|%s-db)\\.svc(\\.%s)?$" (regexQuoteMeta (include "sentinel.agencyId" .root)) (regexQuoteMeta (include "sentinel.agencyId" .root)) (regexQuoteMeta .root.Values.tls.clusterDomain)) $host -}}
{{- /* A Service of the agency's own namespaces (k8s/databases): k8s/admission pins their pods to the region. */ -}}
true
{{- end -}}
{{- end }}

{{/*
Residency, cross-checked at render time: the storage class names the region, and every host the
data goes to (databases, the MQTT broker) is in it, by name or by address.
*/}}
{{- define "sentinel.validateResidency" -}}
{{- $region := include "sentinel.region" . -}}
{{- $class := include "sentinel.storageClass" . -}}
{{- if not (regexMatch (printf "(^|[-.])%s($|[-.])" (regexQuoteMeta $region)) $class) -}}
{{- fail (printf "residency.storageClass %q does not name residency.region %q: use the region's own class (k8s/storage-classes/sentinel-%s.yaml), whose volumes stay in the region's zones" $class $region $region) -}}
{{- end -}}
{{- $hosts := list -}}
{{- range $key, $_ := include "sentinel.catalog" . | fromYaml -}}
{{- $values := get $.Values.services $key -}}
{{- if and $values.enabled $values.database.host -}}
{{- $hosts = append $hosts (list (printf "services.%s.database.host" $key) $values.database.host) -}}
{{- range $i, $peer := $values.database.networkPeers -}}
{{- if and $peer.cidr $.Values.residency.networks -}}
{{- $inside := false -}}
{{- range $.Values.residency.networks }}{{ if include "sentinel.cidr.contains" (dict "outer" . "inner" $peer.cidr) }}{{ $inside = true }}{{ end }}{{ end -}}
{{- if not $inside -}}
{{- fail (printf "services.%s.database.networkPeers[%d].cidr %q is outside residency.networks %v: the database must be in region %s" $key $i $peer.cidr $.Values.residency.networks $region) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $mqtt := .Values.services.location.mqtt -}}
{{- if and .Values.services.location.enabled $mqtt.enabled $mqtt.host -}}
{{- $hosts = append $hosts (list "services.location.mqtt.host" $mqtt.host) -}}
{{- end -}}
{{- range $hosts -}}
{{- if not (include "sentinel.inRegion" (dict "root" $ "host" (index . 1))) -}}
{{- if regexMatch "^[0-9.]+$|:" (index . 1) -}}
{{- fail (printf "%s %q is not inside residency.networks %v, the address ranges of region %s" (index . 0) (index . 1) ($.Values.residency.networks | default list) $region) -}}
{{- else -}}
{{- fail (printf "%s %q does not name residency.region %q as one of its labels (e.g. db.%s.example): a host outside the region would take the data out of it" (index . 0) (index . 1) $region $region) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
Images by digest: a tag can be moved to other contents, a digest cannot. Tags alone, and a
-SNAPSHOT tag, only with image.allowMutableTags (ci/ values and local images).
*/}}
{{- define "sentinel.validateImages" -}}
{{- $image := .Values.image -}}
{{- $tag := default .Chart.AppVersion $image.tag -}}
{{- if not $image.allowMutableTags -}}
{{- if contains "SNAPSHOT" (upper $tag) -}}
{{- fail (printf "image tag %q is a SNAPSHOT, a build that can be replaced under the same name: set image.tag to a release and image.digests from scripts/images.sh (mutable tags only with image.allowMutableTags, for ci/ values)" $tag) -}}
{{- end -}}
{{- range $key, $svc := include "sentinel.catalog" . | fromYaml -}}
{{- if and (get $.Values.services $key).enabled (not (get ($image.digests | default dict) $key)) -}}
{{- fail (printf "image.digests.%s is required: %s must run the image scripts/images.sh built, by its digest (sha256:..., in <out>/%s.digest), not by a tag that can move" $key $svc.name $svc.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
Availability: biometric-svc runs at least two replicas, and no disruption budget may allow every
pod of a service to go at once (a budget that does protects nothing).
*/}}
{{- define "sentinel.validateAvailability" -}}
{{- if and .Values.services.biometric.enabled (lt (int .Values.services.biometric.replicas) 2) -}}
{{- fail (printf "services.biometric.replicas is %d: biometric-svc runs at least 2 replicas, so a check-in survives a pod's loss and its disruption budget protects something" (int .Values.services.biometric.replicas)) -}}
{{- end -}}
{{- range $key, $_ := include "sentinel.catalog" . | fromYaml -}}
{{- $values := get $.Values.services $key -}}
{{- if $values.enabled -}}
{{- $autoscaling := $values.autoscaling | default dict -}}
{{- $replicas := int $values.replicas -}}
{{- $from := printf "services.%s.replicas" $key -}}
{{- if $autoscaling.enabled -}}
{{- $replicas = int $autoscaling.minReplicas -}}
{{- $from = printf "services.%s.autoscaling.minReplicas" $key -}}
{{- end -}}
{{- if le $replicas (int $values.podDisruptionBudget.maxUnavailable) -}}
{{- fail (printf "services.%s.podDisruptionBudget.maxUnavailable (%d) must be below %s (%d): a budget that lets every pod go at once protects nothing" $key (int $values.podDisruptionBudget.maxUnavailable) $from $replicas) -}}
{{- end -}}
{{- if and $values.public (not $values.ingress.host) -}}
{{- fail (printf "services.%s.ingress.host is required when services.%s.public is true: the Ingress objects that make it public route that host" $key $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
Partners: no traffic unless declared, and then one model. Same cluster: pod to pod, the partner's
namespace and named services. Another cluster: gateway to gateway (the partner's gateways given,
ours declared), and what it calls of ours must be public, as it arrives through the ingress controller.
*/}}
{{- define "sentinel.validatePartners" -}}
{{- $agency := include "sentinel.agencyId" . -}}
{{- $ids := list -}}
{{- range $i, $partner := .Values.partners -}}
{{- if eq $partner.id $agency -}}
{{- fail (printf "partners[%d].id %q is this agency itself" $i $partner.id) -}}
{{- end -}}
{{- if has $partner.id $ids -}}
{{- fail (printf "partners[%d].id %q is declared twice" $i $partner.id) -}}
{{- end -}}
{{- $ids = append $ids $partner.id -}}
{{- range $dir := list "inbound" "outbound" -}}
{{- with get $partner $dir -}}
{{- range $key := .services -}}
{{- if not (get $.Values.services $key).enabled -}}
{{- fail (printf "partners[%d].%s.services names %s, which is not enabled" $i $dir $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $partner.sameCluster -}}
{{- if $partner.gateways -}}
{{- fail (printf "partners[%d] (%s) is in the same cluster: its pods are reached directly, so it has no gateways here" $i $partner.id) -}}
{{- end -}}
{{- if and $partner.inbound (not $partner.inbound.from) -}}
{{- fail (printf "partners[%d].inbound.from must name which of %s's services call ours" $i $partner.id) -}}
{{- end -}}
{{- if and $partner.outbound (not $partner.outbound.to) -}}
{{- fail (printf "partners[%d].outbound.to must name which of %s's services ours call" $i $partner.id) -}}
{{- end -}}
{{- else -}}
{{- $gateways := $partner.gateways | default dict -}}
{{- if or (not (get ($gateways.ingress | default dict) "cidrs")) (not (get ($gateways.ingress | default dict) "port")) (not (get ($gateways.egress | default dict) "cidrs")) -}}
{{- fail (printf "partners[%d] (%s) is in another cluster: partners[%d].gateways.ingress {cidrs, port} and .egress {cidrs} must give its cluster's gateways, as its own file declares them" $i $partner.id $i) -}}
{{- end -}}
{{- $ours := $.Values.gateways | default dict -}}
{{- if or (not (get ($ours.ingress | default dict) "cidrs")) (not (get ($ours.egress | default dict) "cidrs")) -}}
{{- fail (printf "gateways.ingress and gateways.egress are required: partner %s is in another cluster, and traffic between clusters goes gateway to gateway" $partner.id) -}}
{{- end -}}
{{- with $partner.inbound -}}
{{- if .from -}}
{{- fail (printf "partners[%d].inbound.from is for a partner in the same cluster: %s's calls arrive from its egress gateway, through our ingress controller" $i $partner.id) -}}
{{- end -}}
{{- range $key := .services -}}
{{- if not (get $.Values.services $key).public -}}
{{- fail (printf "partners[%d].inbound.services names %s, which is not public: %s is in another cluster, so its calls can only arrive through the ingress controller" $i $key $partner.id) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end }}

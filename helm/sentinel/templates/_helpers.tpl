{{/*
Shared helpers. Every name starts with "sentinel." so a parent chart cannot collide with it.
*/}}

{{/*
The four services: their object name and whom they call over gRPC. NetworkPolicies, peer
addresses and the enabled-services check are all derived from this one table.
*/}}
{{- define "sentinel.catalog" -}}
enrollment:
  name: enrollment-svc
  envPrefix: ENROLLMENT
  calls: [rules, location, biometric]
biometric:
  name: biometric-svc
  envPrefix: BIOMETRIC
  calls: [rules]
location:
  name: location-svc
  envPrefix: LOCATION
  calls: [rules]
rules:
  name: rules-svc
  envPrefix: RULES
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
{{- if $image.digest -}}
{{- $ref = printf "%s@%s" $ref $image.digest -}}
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

{{- define "sentinel.faceModelsClaim" -}}
{{- printf "%s-face-models" (include "sentinel.fullname" (dict "root" . "svc" "biometric")) -}}
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
{{- $faceModels := .Values.services.biometric.faceModels.persistence -}}
{{- if and .Values.services.biometric.enabled $faceModels.enabled (eq $faceModels.accessMode "ReadWriteOnce") (gt (int .Values.services.biometric.replicas) 1) -}}
{{- fail (printf "services.biometric.faceModels.persistence.accessMode ReadWriteOnce serves one replica only, but services.biometric.replicas is %d: use ReadWriteMany or one replica" (int .Values.services.biometric.replicas)) -}}
{{- end -}}
{{- range $key := list "location" "rules" -}}
{{- $as := (get $.Values.services $key).autoscaling -}}
{{- if and $as.enabled (gt (int $as.minReplicas) (int $as.maxReplicas)) -}}
{{- fail (printf "services.%s.autoscaling.minReplicas (%d) exceeds maxReplicas (%d)" $key (int $as.minReplicas) (int $as.maxReplicas)) -}}
{{- end -}}
{{- end -}}
{{- range $i, $partner := .Values.partners -}}
{{- if eq $partner.id $agency -}}
{{- fail (printf "partners[%d].id %q is this agency itself" $i $partner.id) -}}
{{- end -}}
{{- range $dir := list "inbound" "outbound" -}}
{{- with get $partner $dir -}}
{{- range $key := .services -}}
{{- if not (get $.Values.services $key).enabled -}}
{{- fail (printf "partners[%d].%s.services names %s, which is not enabled" $i $dir $key) -}}
{{- end -}}
{{- end -}}
{{- range $j, $peer := .networkPeers -}}
{{- if and $peer.namespace (ne $peer.namespace $partner.id) -}}
{{- fail (printf "partners[%d].%s.networkPeers[%d].namespace %q is not the partner's namespace %q (one agency per namespace)" $i $dir $j $peer.namespace $partner.id) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end }}

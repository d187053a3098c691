{{/*
CIDR parsing for the network guardrails. A string check cannot refuse every spelling of "all
addresses" (a /0 on any base address, IPv6 zeros written any way, a /1 ...), so each block is
parsed into its groups of bits (four of 8 for IPv4, eight of 16 for IPv6) and judged on its numbers.
*/}}

{{/* Widest block a network peer may name: a /16 of IPv4, a /48 of IPv6. */}}
{{- define "sentinel.cidr.minPrefix" -}}
{{- if eq . 4 }}16{{ else }}48{{ end -}}
{{- end }}

{{/*
Parses a CIDR. Returns YAML: {family, width, groups, prefix} or {error}. IPv4 octets without
leading zeros (as Kubernetes parses them); IPv6 with at most one "::", no zone, no embedded IPv4.
*/}}
{{- define "sentinel.cidr.parse" -}}
{{- $parts := splitList "/" . -}}
{{- if or (ne (len $parts) 2) (not (regexMatch "^(0|[1-9][0-9]{0,2})$" (index $parts 1))) -}}
error: is not an address/prefix-length block
{{- else -}}
{{- $address := index $parts 0 -}}
{{- $prefix := atoi (index $parts 1) -}}
{{- $octet := "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])" -}}
{{- if regexMatch (printf "^%s(\\.%s){3}$" $octet $octet) $address -}}
{{- if gt $prefix 32 -}}
error: has a prefix length over 32
{{- else -}}
family: 4
width: 8
prefix: {{ $prefix }}
groups: [{{ join ", " (splitList "." $address) }}]
{{- end -}}
{{- else if regexMatch "^[0-9a-fA-F:]+$" $address -}}
{{- $halves := splitList "::" $address -}}
{{- $groups := list -}}
{{- $error := "" -}}
{{- if gt (len $halves) 2 -}}
{{- $error = "is not an IPv6 address (more than one ::)" -}}
{{- else -}}
{{- $left := list -}}
{{- $right := list -}}
{{- if index $halves 0 }}{{ $left = splitList ":" (index $halves 0) }}{{ end -}}
{{- if and (eq (len $halves) 2) (index $halves 1) }}{{ $right = splitList ":" (index $halves 1) }}{{ end -}}
{{- $missing := sub 8 (add (len $left) (len $right)) -}}
{{- if or (and (eq (len $halves) 2) (lt $missing 1)) (and (eq (len $halves) 1) (ne $missing 0)) -}}
{{- $error = "is not an IPv6 address (not eight groups)" -}}
{{- else -}}
{{- $digits := dict "0" 0 "1" 1 "2" 2 "3" 3 "4" 4 "5" 5 "6" 6 "7" 7 "8" 8 "9" 9 "a" 10 "b" 11 "c" 12 "d" 13 "e" 14 "f" 15 -}}
{{- $texts := $left -}}
{{- range until (int $missing) }}{{ $texts = append $texts "0" }}{{ end -}}
{{- $texts = concat $texts $right -}}
{{- range $texts -}}
{{- if not (regexMatch "^[0-9a-fA-F]{1,4}$" .) -}}
{{- $error = "is not an IPv6 address (a group is not 1 to 4 hex digits)" -}}
{{- else -}}
{{- $value := 0 -}}
{{- range splitList "" (lower .) }}{{ $value = add (mul $value 16) (get $digits .) }}{{ end -}}
{{- $groups = append $groups $value -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $error -}}
error: {{ $error }}
{{- else if gt $prefix 128 -}}
error: has a prefix length over 128
{{- else -}}
family: 6
width: 16
prefix: {{ $prefix }}
groups: [{{ join ", " $groups }}]
{{- end -}}
{{- else -}}
error: is not an IPv4 or IPv6 block
{{- end -}}
{{- end -}}
{{- end }}

{{/* 2 to the power of . (0 to 16). */}}
{{- define "sentinel.cidr.pow2" -}}
{{- $value := 1 -}}
{{- range until (int .) }}{{ $value = mul $value 2 }}{{ end -}}
{{- $value -}}
{{- end }}

{{/* The groups of a parsed block with every bit past `prefix` cleared. Takes dict block, prefix. */}}
{{- define "sentinel.cidr.network" -}}
{{- $width := int .block.width -}}
{{- $prefix := int .prefix -}}
{{- $groups := list -}}
{{- range $i, $group := .block.groups -}}
{{- $start := mul $i $width -}}
{{- if ge $start $prefix -}}
{{- $groups = append $groups 0 -}}
{{- else if gt (add $start $width) $prefix -}}
{{- $span := int (include "sentinel.cidr.pow2" (sub (add $start $width) $prefix)) -}}
{{- $groups = append $groups (mul (div (int $group) $span) $span) -}}
{{- else -}}
{{- $groups = append $groups (int $group) -}}
{{- end -}}
{{- end -}}
{{- toJson $groups -}}
{{- end }}

{{- define "sentinel.cidr.format" -}}
{{- if eq (int .block.family) 4 -}}
{{- join "." .groups -}}
{{- else -}}
{{- $hex := list -}}
{{- range .groups }}{{ $hex = append $hex (printf "%x" (int .)) }}{{ end -}}
{{- join ":" $hex -}}
{{- end -}}
{{- end }}

{{/*
Why a network peer's block must be refused, or nothing. Takes the CIDR string.
*/}}
{{- define "sentinel.cidr.problem" -}}
{{- $block := include "sentinel.cidr.parse" . | fromYaml -}}
{{- if $block.error -}}
{{- $block.error -}}
{{- else if eq (int $block.prefix) 0 -}}
is /0, every address: name the peer's own range
{{- else if lt (int $block.prefix) (int (include "sentinel.cidr.minPrefix" (int $block.family))) -}}
{{- printf "is wider than /%s, the widest block a peer may name" (include "sentinel.cidr.minPrefix" (int $block.family)) -}}
{{- else -}}
{{- $network := include "sentinel.cidr.network" (dict "block" $block "prefix" $block.prefix) | fromJsonArray -}}
{{- if ne (toJson $network) (toJson $block.groups) -}}
{{- printf "has host bits set: the block is %s/%d" (include "sentinel.cidr.format" (dict "block" $block "groups" $network)) (int $block.prefix) -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* "true" when block .inner lies inside block .outer (both valid CIDR strings), else "". */}}
{{- define "sentinel.cidr.contains" -}}
{{- $outer := include "sentinel.cidr.parse" .outer | fromYaml -}}
{{- $inner := include "sentinel.cidr.parse" .inner | fromYaml -}}
{{- if and (not $outer.error) (not $inner.error) (eq (int $outer.family) (int $inner.family)) (ge (int $inner.prefix) (int $outer.prefix)) -}}
{{- if eq (include "sentinel.cidr.network" (dict "block" $inner "prefix" $outer.prefix)) (include "sentinel.cidr.network" (dict "block" $outer "prefix" $outer.prefix)) -}}
true
{{- end -}}
{{- end -}}
{{- end }}

{{/*
Fails on the first network peer whose block is refused. Takes dict path (e.g.
"services.rules.database.networkPeers") and peers. An except entry must be a valid block inside
its cidr (it may be as narrow or wide as it likes there).
*/}}
{{- define "sentinel.cidr.checkPeers" -}}
{{- $path := .path -}}
{{- range $i, $peer := .peers -}}
{{- if $peer.cidr -}}
{{- $problem := include "sentinel.cidr.problem" $peer.cidr -}}
{{- if $problem -}}
{{- fail (printf "%s[%d].cidr %q %s" $path $i $peer.cidr $problem) -}}
{{- end -}}
{{- range $j, $except := $peer.except -}}
{{- $block := include "sentinel.cidr.parse" $except | fromYaml -}}
{{- if $block.error -}}
{{- fail (printf "%s[%d].except[%d] %q %s" $path $i $j $except $block.error) -}}
{{- end -}}
{{- if not (include "sentinel.cidr.contains" (dict "outer" $peer.cidr "inner" $except)) -}}
{{- fail (printf "%s[%d].except[%d] %q is not inside %q" $path $i $j $except $peer.cidr) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end }}

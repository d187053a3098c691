package io.sentinel.helm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Pod Security Standard "restricted" (latest), as the Pod Security admission controller
 * applies it to a pod spec: the baseline controls plus the restricted ones. Returns the
 * violations, each naming the control, so a test can print them all at once.
 */
final class PodSecurityRestricted {

    private static final Set<String> RESTRICTED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    private static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
    private static final Set<String> SELINUX_TYPES = Set.of("", "container_t", "container_init_t", "container_kvm_t",
            "container_engine_t");

    private PodSecurityRestricted() {
    }

    /** Violations of the pod spec (spec.template.spec of a workload); empty when it is admitted. */
    static List<String> violations(JsonNode pod) {
        List<String> found = new ArrayList<>();
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (pod.path(host).asBoolean(false)) {
                found.add("host namespaces: " + host);
            }
        }
        JsonNode podContext = pod.path("securityContext");
        checkSeLinux(podContext, "pod", found);
        for (JsonNode sysctl : podContext.path("sysctls")) {
            if (!SAFE_SYSCTLS.contains(sysctl.path("name").asText())) {
                found.add("sysctls: " + sysctl.path("name").asText());
            }
        }
        if ("Unconfined".equals(podContext.path("appArmorProfile").path("type").asText())) {
            found.add("AppArmor: pod Unconfined");
        }
        for (JsonNode volume : pod.path("volumes")) {
            volume.fieldNames().forEachRemaining(field -> {
                if (!field.equals("name") && !RESTRICTED_VOLUMES.contains(field)) {
                    found.add("volume types: " + volume.path("name").asText() + " is " + field);
                }
            });
        }
        boolean podNonRoot = podContext.path("runAsNonRoot").asBoolean(false);
        if (podContext.path("runAsUser").asLong(-1) == 0) {
            found.add("running as non-root user: pod runAsUser 0");
        }
        String podSeccomp = podContext.path("seccompProfile").path("type").asText("");
        if (podSeccomp.equals("Unconfined")) {
            found.add("seccomp: pod Unconfined");
        }
        List<JsonNode> containers = new ArrayList<>();
        for (String list : List.of("containers", "initContainers", "ephemeralContainers")) {
            pod.path(list).forEach(containers::add);
        }
        if (containers.isEmpty()) {
            found.add("no containers");
        }
        for (JsonNode container : containers) {
            String name = container.path("name").asText("?");
            JsonNode context = container.path("securityContext");
            if (context.path("privileged").asBoolean(false)) {
                found.add("privileged: " + name);
            }
            for (JsonNode port : container.path("ports")) {
                if (port.path("hostPort").asInt(0) != 0) {
                    found.add("host ports: " + name);
                }
            }
            checkSeLinux(context, name, found);
            if (!context.path("procMount").asText("Default").equals("Default")) {
                found.add("/proc mount type: " + name);
            }
            if ("Unconfined".equals(context.path("appArmorProfile").path("type").asText())) {
                found.add("AppArmor: " + name + " Unconfined");
            }
            if (!context.path("allowPrivilegeEscalation").isBoolean() || context.path("allowPrivilegeEscalation").asBoolean()) {
                found.add("privilege escalation: " + name + " must set allowPrivilegeEscalation: false");
            }
            boolean nonRoot = context.has("runAsNonRoot") ? context.path("runAsNonRoot").asBoolean() : podNonRoot;
            if (!nonRoot) {
                found.add("running as non-root: " + name + " (runAsNonRoot: true on the pod or the container)");
            }
            if (context.path("runAsUser").asLong(-1) == 0) {
                found.add("running as non-root user: " + name + " runAsUser 0");
            }
            String seccomp = context.path("seccompProfile").path("type").asText(podSeccomp);
            if (!seccomp.equals("RuntimeDefault") && !seccomp.equals("Localhost")) {
                found.add("seccomp: " + name + " must be RuntimeDefault or Localhost, is '" + seccomp + "'");
            }
            boolean dropsAll = false;
            for (JsonNode drop : context.path("capabilities").path("drop")) {
                dropsAll |= drop.asText().equals("ALL");
            }
            if (!dropsAll) {
                found.add("capabilities: " + name + " must drop ALL");
            }
            for (JsonNode add : context.path("capabilities").path("add")) {
                if (!add.asText().equals("NET_BIND_SERVICE")) {
                    found.add("capabilities: " + name + " adds " + add.asText());
                }
            }
        }
        return found;
    }

    private static void checkSeLinux(JsonNode context, String where, List<String> found) {
        JsonNode options = context.path("seLinuxOptions");
        if (!SELINUX_TYPES.contains(options.path("type").asText(""))) {
            found.add("SELinux: " + where + " type " + options.path("type").asText());
        }
        if (options.hasNonNull("user") || options.hasNonNull("role")) {
            found.add("SELinux: " + where + " sets user or role");
        }
    }
}

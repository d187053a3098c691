package io.sentinel.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTls;
import io.sentinel.common.testing.TestTokens;

/**
 * The access matrix (api/.../sentinel/access-matrix.tsv) run against the four running services:
 * every gRPC method of every service in the protos and every REST route the services' OpenAPI
 * documents list, called as each role of the deployment's own agency and of a partner agency, as
 * each service with its token and client certificate, and with no token. An operation the table
 * does not name fails the test, and so does a row naming an operation that does not exist.
 *
 * <p>Requests are empty or name random ids: the matrix is about the gate, so a call counts as let
 * through unless it ends UNAUTHENTICATED or PERMISSION_DENIED (HTTP 401 or 403).
 */
class AccessMatrixIT {
    static final String AGENCY = "agency-matrix";
    static final List<String> ROLES = List.of("caseworker", "reviewer", "partner", "device-gateway", "auditor", "admin", "platform-admin");
    /** Internal services implemented by more than one service. */
    static final Map<String, List<String>> IMPLEMENTED_BY = Map.of(
            "sentinel.internal.v1.RulesIntakeService", List.of("rules-svc"),
            "sentinel.internal.v1.LocationIntakeService", List.of("location-svc"),
            "sentinel.internal.v1.BiometricIntakeService", List.of("biometric-svc"),
            "sentinel.internal.v1.SubjectDataService", List.of("rules-svc", "location-svc", "biometric-svc"),
            "sentinel.audit.v1.AuditService", List.of("enrollment-svc", "biometric-svc", "location-svc", "rules-svc"));

    record Row(String operation, Set<String> own, Set<String> partner, Set<String> services) {
    }

    record Outcome(boolean allowed, String detail) {
    }

    /** A REST route: the service serving it and the media type its body is declared in (null: no body). */
    record RestRoute(String service, String contentType) {
    }

    static Suite suite;
    static final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        suite = new Suite(AGENCY);
        suite.startAll();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(TestTls.trusting(suite.ca())).build();
    }

    @AfterAll
    static void stop() throws Exception {
        channels.values().forEach(ManagedChannel::shutdownNow);
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    void everyOperationLetsThroughExactlyTheCallersTheMatrixNames() throws Exception {
        Map<String, Row> table = readTable();
        Map<String, MethodDescriptor<?, ?>> grpc = grpcOperations();
        Map<String, RestRoute> rest = restOperations();

        Set<String> operations = new TreeSet<>(grpc.keySet());
        operations.addAll(rest.keySet());
        assertThat(table.keySet()).as("rows naming no operation of the services").isSubsetOf(operations);
        assertThat(operations).as("operations missing from access-matrix.tsv").isSubsetOf(table.keySet());

        List<String> lines = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (String op : operations) {
            Row row = table.get(op);
            for (String target : targets(op)) {
                for (Map.Entry<String, Boolean> caller : callers(row).entrySet()) {
                    Outcome got = op.startsWith("grpc ") ? callGrpc(target, grpc.get(op), caller.getKey()) : callRest(rest.get(op), op, caller.getKey());
                    boolean expected = caller.getValue();
                    lines.add(String.join("\t", op, target, caller.getKey(), expected ? "allowed" : "refused",
                            got.allowed() ? "allowed" : "refused", got.detail()));
                    if (got.allowed() != expected) {
                        wrong.add(op + " on " + target + " as " + caller.getKey() + ": expected " + (expected ? "allowed" : "refused")
                                + ", got " + got.detail());
                    }
                }
            }
        }
        Path out = Path.of(System.getProperty("user.dir"), "target", "access-matrix-run.tsv");
        Files.write(out, Stream.concat(Stream.of("operation\ttarget\tcaller\texpected\tobserved\tdetail"), lines.stream()).toList());
        System.out.printf("access matrix: %d operations, %d calls, %d unexpected (%s)%n", operations.size(), lines.size(), wrong.size(), out);
        assertThat(wrong).as("calls whose outcome differs from the matrix").isEmpty();
    }

    // ---- the table

    static Map<String, Row> readTable() throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        try (InputStream in = AccessMatrixIT.class.getClassLoader().getResourceAsStream("sentinel/access-matrix.tsv")) {
            assertThat(in).as("sentinel/access-matrix.tsv on the classpath (api jar)").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                assertThat(f).as("four tab-separated columns: " + line).hasSize(4);
                Row r = new Row(f[0], set(f[1]), set(f[2]), set(f[3]));
                assertThat(ROLES).as("roles of " + f[0]).containsAll(r.own());
                assertThat(r.partner()).as("a partner agency's person is only a partner here: " + f[0]).isSubsetOf(Set.of("partner"));
                assertThat(Suite.SERVICES).as("services of " + f[0]).containsAll(r.services());
                assertThat(rows.put(r.operation(), r)).as("duplicate row " + f[0]).isNull();
            }
        }
        return rows;
    }

    static Set<String> set(String column) {
        return column.equals("-") ? Set.of() : Set.copyOf(List.of(column.split(",")));
    }

    /** Who calls, and whether the row lets them through. */
    static Map<String, Boolean> callers(Row row) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (String role : ROLES) {
            out.put("own:" + role, row.own().contains(role));
        }
        for (String role : ROLES) {
            out.put("partner:" + role, role.equals("partner") && row.partner().contains("partner"));
        }
        for (String service : Suite.SERVICES) {
            out.put("service:" + service, row.services().contains(service));
        }
        out.put("none", false);
        return out;
    }

    static List<String> targets(String op) {
        if (op.startsWith("rest ")) {
            return List.of(op.split(" ")[1]);
        }
        String service = op.substring("grpc ".length(), op.indexOf('/'));
        if (IMPLEMENTED_BY.containsKey(service)) {
            return IMPLEMENTED_BY.get(service);
        }
        String area = service.split("\\.")[1];
        return List.of(area + "-svc");
    }

    // ---- operations from the protos and the OpenAPI documents

    /** Every method of every service declared in the api jar's .proto files, by "grpc Service/Method". */
    static Map<String, MethodDescriptor<?, ?>> grpcOperations() throws Exception {
        Map<String, MethodDescriptor<?, ?>> out = new LinkedHashMap<>();
        Pattern pkg = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
        Pattern javaPkg = Pattern.compile("^option java_package = \"([\\w.]+)\";", Pattern.MULTILINE);
        Pattern service = Pattern.compile("^service (\\w+) \\{", Pattern.MULTILINE);
        for (String proto : protoFiles()) {
            Matcher p = pkg.matcher(proto);
            Matcher j = javaPkg.matcher(proto);
            Matcher s = service.matcher(proto);
            while (s.find()) {
                assertThat(p.find(0) && j.find(0)).as("package and java_package of service " + s.group(1)).isTrue();
                Class<?> grpc = Class.forName(j.group(1) + "." + s.group(1) + "Grpc");
                ServiceDescriptor d = (ServiceDescriptor) grpc.getMethod("getServiceDescriptor").invoke(null);
                assertThat(d.getName()).isEqualTo(p.group(1) + "." + s.group(1));
                for (MethodDescriptor<?, ?> m : d.getMethods()) {
                    out.put("grpc " + m.getFullMethodName(), m);
                }
            }
        }
        assertThat(out).as("gRPC operations found in the protos").hasSizeGreaterThan(50);
        return out;
    }

    static List<String> protoFiles() throws IOException, URISyntaxException {
        URI root = AccessMatrixIT.class.getClassLoader().getResource("sentinel/access-matrix.tsv").toURI();
        List<String> out = new ArrayList<>();
        if (root.getScheme().equals("jar")) {
            try (FileSystem fs = FileSystems.newFileSystem(root, Map.of()); Stream<Path> files = Files.walk(fs.getPath("/sentinel"))) {
                for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".proto"))::iterator) {
                    out.add(Files.readString(f));
                }
            }
        } else {
            try (Stream<Path> files = Files.walk(Path.of(root).getParent())) {
                for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".proto"))::iterator) {
                    out.add(Files.readString(f));
                }
            }
        }
        return out;
    }

    /** Every route in each service's OpenAPI document, by "rest <service> <METHOD> <path>". */
    static Map<String, RestRoute> restOperations() throws Exception {
        Map<String, RestRoute> out = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String service : Suite.SERVICES) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(suite.url(service, "/q/openapi?format=json"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(service + " /q/openapi").isEqualTo(200);
            JsonNode paths = json.readTree(r.body()).path("paths");
            for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> path = it.next();
                for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext();) {
                    String name = methods.next();
                    String method = name.toUpperCase();
                    if (Set.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(method)) {
                        Iterator<String> types = path.getValue().path(name).path("requestBody").path("content").fieldNames();
                        out.put("rest " + service + " " + method + " " + path.getKey(),
                                new RestRoute(service, types.hasNext() ? types.next() : null));
                    }
                }
            }
        }
        return out;
    }

    // ---- calling as someone

    /** The bearer token of a caller for a call to {@code target}; null for none. */
    static String token(String caller, String target) {
        String[] c = caller.split(":", 2);
        return switch (c[0]) {
            case "own" -> TestTokens.token("matrix-" + c[1], AGENCY, c[1]);
            case "partner" -> TestTokens.token("matrix-" + c[1], Suite.PARTNER, c[1]);
            case "service" -> TestTokens.service(c[1], target, AGENCY);
            default -> null;
        };
    }

    static ManagedChannel channel(String target, String caller) {
        String asService = caller.startsWith("service:") ? caller.substring("service:".length()) : null;
        return channels.computeIfAbsent(target + "/" + asService,
                k -> asService == null ? suite.channel(target) : suite.peerChannel(target, asService));
    }

    static Outcome callGrpc(String target, MethodDescriptor<?, ?> method, String caller) throws Exception {
        Outcome first = callGrpc(target, method, caller, 1500);
        // A stream the gate let through stays open until the deadline: that is its answer. A unary
        // call that ran out of time on a loaded machine has not answered yet: ask again, patiently.
        if (method.getType() == MethodDescriptor.MethodType.UNARY && first.detail().startsWith("DEADLINE_EXCEEDED")) {
            return callGrpc(target, method, caller, 20_000);
        }
        return first;
    }

    @SuppressWarnings("unchecked")
    static Outcome callGrpc(String target, MethodDescriptor<?, ?> method, String caller, long deadlineMillis) throws Exception {
        MethodDescriptor<Object, Object> m = (MethodDescriptor<Object, Object>) method;
        Object request = ((MethodDescriptor.PrototypeMarshaller<Object>) m.getRequestMarshaller()).getMessagePrototype();
        String token = token(caller, target);
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
        if (token != null) {
            options = options.withCallCredentials(Justified.bearer(token));
        }
        ClientCall<Object, Object> call = channel(target, caller).newCall(m, options);
        CompletableFuture<Status> closed = new CompletableFuture<>();
        AtomicBoolean answered = new AtomicBoolean();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(Object message) {
                answered.set(true);
                call.cancel("answered: enough for the matrix", null);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(request);
        call.halfClose();
        Status status = closed.get(deadlineMillis + 10_000, TimeUnit.MILLISECONDS);
        if (answered.get()) {
            return new Outcome(true, "answered");
        }
        boolean refused = status.getCode() == Status.Code.UNAUTHENTICATED || status.getCode() == Status.Code.PERMISSION_DENIED;
        return new Outcome(!refused, status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription()));
    }

    static Outcome callRest(RestRoute route, String op, String caller) throws Exception {
        String service = route.service();
        String[] f = op.split(" ", 4);
        String path = f[3].replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(suite.url(service, path))).timeout(Duration.ofSeconds(10));
        String token = token(caller, service);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.header("X-Sentinel-Purpose", Justified.PURPOSE_TEXT).header("X-Sentinel-Reference", Justified.REFERENCE_TEXT);
        // A well-formed call for the gate: the body in the media type the route declares, empty otherwise.
        String type = route.contentType();
        boolean json = type == null || type.contains("json");
        b.method(f[2], type == null && f[2].equals("GET") || f[2].equals("DELETE") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json ? "{}" : ""));
        if (type != null) {
            b.header("Content-Type", type.contains("*") ? "application/json" : type);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        boolean refused = r.statusCode() == 401 || r.statusCode() == 403;
        String body = r.body() == null ? "" : r.body().replaceAll("\\s+", " ");
        return new Outcome(!refused, r.statusCode() + " " + (body.length() > 160 ? body.substring(0, 160) : body));
    }
}

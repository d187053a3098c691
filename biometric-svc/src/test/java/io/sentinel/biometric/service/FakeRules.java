package io.sentinel.biometric.service;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.sentinel.api.internal.v1.RecordCheckInEventRequest;
import io.sentinel.api.internal.v1.RecordCheckInEventResponse;
import io.sentinel.api.internal.v1.RulesIntakeServiceGrpc;

/** An in-process stand-in for rules-svc that records the check-in events it is sent, or answers UNAVAILABLE while down. */
public final class FakeRules extends RulesIntakeServiceGrpc.RulesIntakeServiceImplBase {
    public static final int PORT = freePort();

    public final List<RecordCheckInEventRequest> received = new CopyOnWriteArrayList<>();
    public volatile boolean down;
    private Server server;

    public synchronized void start() {
        if (server == null) {
            try {
                server = NettyServerBuilder.forPort(PORT).addService(this).build().start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the fake rules-svc on port " + PORT, e);
            }
        }
    }

    public synchronized void stop() {
        if (server != null) {
            server.shutdownNow();
            server = null;
        }
    }

    @Override
    public void recordCheckInEvent(RecordCheckInEventRequest request, StreamObserver<RecordCheckInEventResponse> out) {
        if (down) {
            out.onError(Status.UNAVAILABLE.withDescription("rules-svc is down").asRuntimeException());
            return;
        }
        received.add(request);
        out.onNext(RecordCheckInEventResponse.getDefaultInstance());
        out.onCompleted();
    }

    /** Kept in a system property: the profile and the test may load this class through different class loaders. */
    private static int freePort() {
        String held = System.getProperty("sentinel.test.biometric-fake-rules-port");
        if (held != null) {
            return Integer.parseInt(held);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            System.setProperty("sentinel.test.biometric-fake-rules-port", String.valueOf(s.getLocalPort()));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Points the rules client at the fake. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.grpc.clients.rules.test-port", String.valueOf(PORT));
        }
    }
}
